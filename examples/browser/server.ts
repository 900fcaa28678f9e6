// A tiny static server for the browser example (node:http, no dependency): serves the page from
// examples/browser/ and the ES modules and wasm it loads from dist/, build/ and the AssemblyScript
// loader in node_modules/, all relative to the repository root, read-only.
//   node dist/examples/browser/server.js [--port 8080] [--host 127.0.0.1] [--isolated]
// --isolated sends COOP/COEP headers: the page is cross-origin isolated, and trains on threads.
// then open the printed address. The browser test (test/runtimes-browser.test.ts) starts it on a free port.
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root: this file is dist/examples/browser/server.js. */
export const DEFAULT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The only folders served (paths relative to the root). */
const SERVED = ["examples/browser/", "dist/", "build/", "node_modules/@assemblyscript/loader/", "bindings/"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", // WebAssembly.instantiateStreaming requires it
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface StaticServer {
  /** The page's address, e.g. http://127.0.0.1:40123/examples/browser/ */
  url: string;
  /** The server's origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the repository root this file was compiled into. */
  root?: string;
  /**
   * Send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp with
   * every response, which makes the page cross-origin isolated (SharedArrayBuffer, so threads). Default false.
   */
  isolated?: boolean;
}

/** Starts the server; resolves once it listens. */
export async function serveExample(options: ServeOptions = {}): Promise<StaticServer> {
  const root = resolve(options.root ?? DEFAULT_ROOT);
  const host = options.host ?? "127.0.0.1";
  const isolation: Record<string, string> = options.isolated === true
    ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
    : {};
  const server = createServer(async (req, res) => {
    const send = (code: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(code, { "content-type": "text/plain; charset=utf-8", ...isolation, ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    try {
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed", { allow: "GET, HEAD" });
      let path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
      if (path === "/" || path === "/examples/browser") return send(302, "", { location: "/examples/browser/" });
      if (path.endsWith("/")) path += "index.html";
      const file = resolve(root, "." + path);
      const relative = file.slice(root.length + 1).split(sep).join("/");
      if (!file.startsWith(root + sep) || !SERVED.some((prefix) => relative.startsWith(prefix))) return send(404, "not found");
      const info = await stat(file).catch(() => null);
      if (info === null || !info.isFile()) return send(404, "not found");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": String(body.length),
        "cache-control": "no-store",
        ...isolation,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (e) {
      send(500, String(e));
    }
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/examples/browser/`,
    origin,
    server,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

// Run directly: serve until interrupted.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const host = arg("host") ?? "127.0.0.1";
  const { url } = await serveExample({ port: Number(arg("port") ?? 8080), host, isolated: process.argv.includes("--isolated") });
  console.log(`wasm-rnn browser example: open ${url} (Ctrl-C stops the server)`);
}
