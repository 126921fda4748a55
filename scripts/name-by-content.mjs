// Gives every built file under pkg/ a name that is the hash of its final content, so the server
// can let browsers keep each of them for a year (server::StaticFiles checks the same rule).
//
// cargo-leptos (`hash-files`) names each file by the MD5 of its content (base64url), then
// rewrites some of them: the main WASM, the split manifest, and the main JS, which names the
// split loader — while the loader names the main JS (an ES-module cycle, so neither name can
// be the hash of a content that contains the other's; the main WASM names the loader too, but
// only as the key of its imports, which the main JS maps to the imported module, so that key
// stays as built). Their names then promise content they
// no longer have and every visit has to ask for them again. Here:
//   - a file nothing in pkg/ names (the main WASM, the manifest: the pages find them through
//     hash.txt) is renamed to the hash of its content;
//   - the two files of the cycle share one name hash: the MD5 of both contents, in name order,
//     with that shared hash written as 22 zeros where one imports the other; each is rewritten
//     to import the other by its new name and compressed again (.br at quality 11, .gz at 9);
//   - hash.txt gets the new names (Leptos reads it to write the pages' links).
// Usage: node name-by-content.mjs SITE_PKG_DIR HASH_FILE
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, renameSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const [pkg, hashFile] = process.argv.slice(2);
const HASH = /\.([A-Za-z0-9_-]{22})\./;
const ZEROS = "0".repeat(22);
const md5 = (bytes) => createHash("md5").update(bytes).digest("base64url");
const read = (name) => readFileSync(join(pkg, name));
const fail = (message) => { console.error(`name-by-content: ${message}`); process.exit(1); };

const recorded = readFileSync(hashFile, "utf8").split("\n").filter((l) => l.includes(":"))
  .map((l) => l.split(":").map((s) => s.trim()));
const names = readdirSync(pkg).filter((n) => !n.endsWith(".br") && !n.endsWith(".gz"));
const text = (name) => !name.endsWith(".wasm");
const namedBy = (name) => names.filter((o) => o !== name && text(o) && read(o).includes(name));

// The files whose name is not their content's hash, and who names each of them.
// Read before anything moves.
const wrong = names.filter((n) => HASH.test(n) && md5(read(n)) !== n.match(HASH)[1]);
const namers = new Map(names.map((n) => [n, namedBy(n)]));
const renamed = new Map(); // old hash -> new hash
const write = (name, bytes) => {
  writeFileSync(join(pkg, name), bytes);
  writeFileSync(join(pkg, name + ".br"), brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
  writeFileSync(join(pkg, name + ".gz"), gzipSync(bytes, { level: 9 }));
};
const move = (from, to) => {
  for (const suffix of ["", ".br", ".gz"]) {
    if (existsSync(join(pkg, from + suffix))) renameSync(join(pkg, from + suffix), join(pkg, to + suffix));
  }
};

const done = new Set();
for (const name of wrong) {
  if (done.has(name)) continue;
  const old = name.match(HASH)[1];
  const by = namers.get(name);
  if (by.length === 0) {
    const fresh = md5(read(name));
    move(name, name.replace(`.${old}.`, `.${fresh}.`));
    renamed.set(old, fresh);
    done.add(name);
    continue;
  }
  // A cycle of two: `name` is named only by `other`, which `name` names in turn.
  const other = by[0];
  const otherOld = other.match(HASH)?.[1];
  if (by.length !== 1 || !otherOld || !namers.get(other).every((n) => n === name)) {
    fail(`${name} is named by ${by.join(", ")}: not a file of its own nor a cycle of two`);
  }
  const pair = [name, other].sort();
  if (pair.some((n) => read(n).includes(ZEROS))) fail(`${pair.join(" or ")} already holds ${ZEROS}`);
  // Only where one imports the other (`from "./name"`, `import("./name")`): the main JS also
  // holds the loader's old name as the key of the WASM's imports, which the WASM itself names.
  const masked = pair.map((n) => {
    const named = n === name ? other : name;
    const hash = named.match(HASH)[1];
    const escaped = named.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const specifier = new RegExp(`((?:from|import)\\s*\\(?\\s*)(["'])\\./${escaped}\\2`, "g");
    let text = read(n).toString("utf8");
    const before = text;
    text = text.replace(specifier, (_, lead, quote) => `${lead}${quote}./${named.replace(hash, ZEROS)}${quote}`);
    if (text === before) fail(`${n} names ${named} but does not import it`);
    return text;
  });
  const shared = md5(Buffer.from(masked.join(""), "utf8"));
  if (shared === old && shared === otherOld) { done.add(name).add(other); continue; }
  pair.forEach((n, i) => {
    const bytes = Buffer.from(masked[i].replaceAll(ZEROS, shared), "utf8");
    const target = n.replace(HASH, `.${shared}.`);
    write(target, bytes);
    for (const suffix of ["", ".br", ".gz"]) if (target !== n) rmSync(join(pkg, n + suffix), { force: true });
    done.add(n);
  });
  renamed.set(old, shared);
  renamed.set(otherOld, shared);
}

for (const [old] of renamed) {
  if (!recorded.some(([, value]) => value === old)) fail(`the hash ${old} is not in ${hashFile}`);
}
writeFileSync(hashFile + ".tmp", recorded.map(([k, v]) => `${k}: ${renamed.get(v) ?? v}\n`).join(""));
renameSync(hashFile + ".tmp", hashFile);
for (const [old, fresh] of renamed) console.log(`  ${old} -> ${fresh}`);
