// A form's submission: busy while it runs, the error in Chinese if it fails,
// a success message when it is done.
import { ref } from "vue";
import { ElMessage } from "element-plus";
import { describeError } from "./errors";

export function useSubmit() {
  const busy = ref(false);
  const error = ref("");
  async function submit<T>(action: () => Promise<T>, done?: string): Promise<T | undefined> {
    busy.value = true;
    error.value = "";
    try {
      const result = await action();
      if (done) ElMessage.success(done);
      return result;
    } catch (e) {
      error.value = describeError(e);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, submit };
}
