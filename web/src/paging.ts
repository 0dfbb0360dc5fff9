// Paged lists in the console. Every List and history RPC answers a page at a
// time (page_size, page_token → next_page_token, total_size); a table shows
// one page with Element Plus pagination and the total from the reply, and a
// view that needs the whole list (a dropdown, a timeline) reads every page.
import { ref, shallowRef } from "vue";

// What every paged reply carries.
export interface Paged {
  nextPageToken: string;
  totalSize?: number;
}

// A table's pages: `fetch(pageSize, pageToken)` reads one page (undefined when
// it failed; the view shows its error). Page n (from 1) needs the token the
// page before gave, so going to a page not seen yet reads the pages between.
export function usePages<R extends Paged>(fetch: (pageSize: number, pageToken: string) => Promise<R | undefined>, pageSize: number) {
  const page = ref(1);
  const reply = shallowRef<R>();
  const total = ref(0);
  let tokens: string[] = [""]; // tokens[n - 1] reads page n
  async function go(n: number) {
    for (let k = tokens.length; k < n; k++) {
      const before = await fetch(pageSize, tokens[k - 1]);
      if (!before) return;
      if (!before.nextPageToken) {
        n = k;
        break;
      }
      tokens[k] = before.nextPageToken;
    }
    const r = await fetch(pageSize, tokens[n - 1]);
    if (!r) return;
    if (r.nextPageToken) tokens[n] = r.nextPageToken;
    reply.value = r;
    total.value = r.totalSize ?? 0;
    page.value = n;
  }
  // From the first page again (after a change, or on opening the view).
  function reload() {
    tokens = [""];
    return go(1);
  }
  // The page being shown again (after a change on it).
  function refresh() {
    tokens = tokens.slice(0, page.value);
    return go(page.value);
  }
  return { page, reply, total, pageSize, go, reload, refresh };
}

// Every item of a paged list: reads page after page until the last. `items`
// picks the paged field of a reply.
export async function allPages<R extends Paged, T>(fetch: (pageToken: string) => Promise<R>, items: (r: R) => T[]): Promise<{ first: R; all: T[] }> {
  let token = "";
  let first: R | undefined;
  const all: T[] = [];
  for (let n = 0; n < 100000; n++) {
    const r = await fetch(token);
    first ??= r;
    all.push(...items(r));
    if (!r.nextPageToken || r.nextPageToken === token) break;
    token = r.nextPageToken;
  }
  return { first: first as R, all };
}
