import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// Built into dist/, which lxgateway serves at / (--static_dir).
export default defineConfig({
  plugins: [vue()],
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
