"""What the browser's code is made of: the function bodies of a WASM module with a name section
(the front end built by end2end/bench/wasm-names.sh: before wasm-bindgen and wasm-opt, symbols
mangled with v0 so each monomorphised copy names its type arguments), summed by what they
implement. Prints a table; the README's "What the code is made of" quotes it.

Usage: python3 wasm_names.py FRONTEND.wasm [--top N]
"""
import collections
import re
import subprocess
import sys


def uleb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def functions(path):
    """(body size in bytes, symbol) for each function defined in the module."""
    data = open(path, "rb").read()
    i, imported, bodies, names = 8, 0, [], {}
    while i < len(data):
        section = data[i]
        size, i = uleb(data, i + 1)
        body, i = data[i : i + size], i + size
        if section == 2:  # imports: functions among them shift the indices
            count, j = uleb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    length, j = uleb(body, j)
                    j += length
                kind = body[j]
                j += 1
                if kind == 0:
                    _, j = uleb(body, j)
                    imported += 1
                elif kind == 1:
                    j += 1
                    flags, j = uleb(body, j)
                    _, j = uleb(body, j)
                    if flags & 1:
                        _, j = uleb(body, j)
                elif kind == 2:
                    flags, j = uleb(body, j)
                    _, j = uleb(body, j)
                    if flags & 1:
                        _, j = uleb(body, j)
                elif kind == 3:
                    j += 2
        elif section == 10:  # code
            count, j = uleb(body, 0)
            for _ in range(count):
                length, k = uleb(body, j)
                bodies.append(length + (k - j))
                j = k + length
        elif section == 0:  # custom: the name section
            length, j = uleb(body, 0)
            if body[j : j + length] != b"name":
                continue
            j += length
            while j < len(body):
                sub = body[j]
                sub_size, j = uleb(body, j + 1)
                end = j + sub_size
                if sub == 1:
                    count, k = uleb(body, j)
                    for _ in range(count):
                        index, k = uleb(body, k)
                        length, k = uleb(body, k)
                        names[index] = body[k : k + length].decode("utf8", "replace")
                        k += length
                j = end
    symbols = [names.get(imported + n, "?") for n in range(len(bodies))]
    demangled = subprocess.run(
        ["c++filt"], input="\n".join(symbols), capture_output=True, text=True, check=True
    ).stdout.split("\n")
    return [(size, re.sub(r"\[[0-9a-f]+\]", "", name)) for size, name in zip(bodies, demangled)]


# What each function implements, by the first of these words in its name (a signal inside an
# action counts as the action's, a `Suspend` after the reactive primitives as a resource's).
ACTIONS, RESOURCES, REACTIVE = "actions and forms", "resources", "signals, memos, effects, For"
KEYS = [
    ("ArcAction", ACTIONS), ("Action<", ACTIONS), ("ServerAction", ACTIONS),
    ("ActionForm", ACTIONS), ("action_form", ACTIONS),
    ("ArcAsyncDerived", RESOURCES), ("AsyncDerived", RESOURCES), ("ArcResource", RESOURCES),
    ("Resource", RESOURCES),
    ("ArcMemo", REACTIVE), ("Memo<", REACTIVE), ("RenderEffect", REACTIVE), ("Effect", REACTIVE),
    ("ArcRwSignal", REACTIVE), ("RwSignal", REACTIVE), ("ArcSignal", REACTIVE), ("Signal", REACTIVE),
    ("Suspend", RESOURCES), ("Transition", RESOURCES), ("Suspense", RESOURCES),
    ("For", REACTIVE), ("Show", REACTIVE),
    ("serde_qs", ACTIONS), ("serde_json", "serde_json"),
    ("into_any", "views erased to AnyView"), ("any_attr", "views erased to AnyView"),
]
GROUPS = [ACTIONS, RESOURCES, REACTIVE, "serde_json", "views erased to AnyView", "the rest"]


def main():
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 0
    rows = functions(path)
    total = sum(size for size, _ in rows)
    sums, counts = collections.Counter(), collections.Counter()
    generic = collections.Counter()
    for size, name in rows:
        group = next((g for key, g in KEYS if key in name), "the rest")
        sums[group] += size
        counts[group] += 1
        generic[re.sub(r"::<.*", "", name)] += size
    print(f"  function bodies: {total / 1e6:.2f} MB in {len(rows)} functions")
    for group in GROUPS:
        print(f"  {group:32} {sums[group] / 1e3:8.0f} KB {100 * sums[group] / total:5.1f} %  ({counts[group]} functions)")
    for name, size in generic.most_common(top):
        print(f"  {size / 1e3:8.1f} KB  {name[:150]}")


if __name__ == "__main__":
    main()
