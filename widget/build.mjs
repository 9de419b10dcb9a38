// Bundles src/ + socket.io-client into one self-contained file: dist/clinic-chat.js.
// Deterministic: the same sources and lockfile give byte-identical output.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("./node_modules/socket.io-client/package.json", import.meta.url)));
const out = new URL("./dist/clinic-chat.js", import.meta.url).pathname;

await build({
  entryPoints: [new URL("./src/main.js", import.meta.url).pathname],
  outfile: out,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2019", "chrome80", "firefox78", "safari13"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  banner: {
    js: `/*! clinic-chat widget | includes socket.io-client ${pkg.version} (MIT, (c) Guillermo Rauch) */`,
  },
  logLevel: "warning",
});

const code = readFileSync(out);
console.log(
  `built ${out}: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} bytes gzipped`
);
