#!/usr/bin/env python3
"""Generates unicode_tables.cpp: the Unicode general category (collapsed to the classes the
pre-tokenizer regexes use) and the White_Space property of every code point, as sorted ranges,
plus the Unicode version and the package they came from.

The Unicode version must be the one llama.cpp's src/unicode-data.cpp was generated from
(15.1.0): a code point that is a letter there and unassigned here (CJK Extension I, new in 15.1)
splits differently in the BPE pre-tokenizer and so gets different token ids. Change it only
together with llama.cpp, after comparing the classification of every code point with llama.cpp's.

Input is the npm package of that Unicode version from node-unicode-data, which ships the
Unicode Character Database's properties as range lists (General_Category/<Name>/ranges.mjs,
Binary_Property/White_Space/ranges.mjs). Debian's unicode-data package stops at 15.0, so it
cannot be the source. Fetch and unpack the package anywhere outside the repository:

    cd /tmp && npm pack @unicode/unicode-15.1.0@2.0.7 && tar xzf unicode-unicode-15.1.0-2.0.7.tgz
    python3 native/src/tokenizer/gen_unicode_tables.py /tmp/package

and commit the regenerated unicode_tables.cpp beside this script (the build never runs this).
The classes mirror the ones llama.cpp's unicode.cpp uses: \\p{N}, \\p{L}, \\p{Z}, \\p{M}, \\p{P},
\\p{S}, \\p{C} (without unassigned code points) and "undefined" for unassigned code points;
whitespace is the White_Space property.
"""
import json
import os
import re
import sys

MAX_CODEPOINT = 0x110000

# Must match enum class UnicodeClass in unicode_class.h.
CLASS_IDS = {
    'undefined': 0, 'N': 1, 'L': 2, 'Z': 3, 'M': 4, 'P': 5, 'S': 6, 'C': 7,
}
WHITESPACE_BIT = 0x08

# The package's general categories that make up each class. \p{C} is split because the
# package's "Other" also holds the unassigned code points, which are a class of their own here.
CLASS_CATEGORIES = {
    'N': ['Number'],
    'L': ['Letter'],
    'Z': ['Separator'],
    'M': ['Mark'],
    'P': ['Punctuation'],
    'S': ['Symbol'],
    'C': ['Control', 'Format', 'Surrogate', 'Private_Use'],
}

BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'


def decode_varints(text):
    """The package's number encoding: base64 digits, the top bits of the first digit of each
    number saying how many digits follow (0xxxxx: none, 10xxxx: one, 110xxx: two, 111xxx: three)."""
    digit = {c: i for i, c in enumerate(BASE64_DIGITS)}
    numbers = []
    i = 0
    while i < len(text):
        first = digit[text[i]]
        i += 1
        if first < 32:
            value, more = first, 0
        elif first < 48:
            value, more = first & 15, 1
        elif first < 56:
            value, more = first & 7, 2
        else:
            value, more = first & 7, 3
        for _ in range(more):
            value = (value << 6) | digit[text[i]]
            i += 1
        numbers.append(value)
    return numbers


def read_ranges(path):
    """The code points of one property file: pairs of (gap after the previous range minus one,
    length minus one)."""
    with open(path, encoding='utf-8') as f:
        match = re.search(r"decodeRanges\('([A-Za-z0-9_-]*)'\)", f.read())
    if not match:
        sys.exit('%s: no decodeRanges(\'...\') call' % path)
    numbers = decode_varints(match.group(1))
    if len(numbers) % 2:
        sys.exit('%s: odd number of values in the range list' % path)
    code_points = []
    end = -1  # one past the last code point of the previous range
    for gap, length in zip(numbers[0::2], numbers[1::2]):
        begin = end + 1 + gap
        end = begin + length + 1
        code_points.extend(range(begin, end))
    if code_points and code_points[-1] >= MAX_CODEPOINT:
        sys.exit('%s: code point 0x%X beyond U+10FFFF' % (path, code_points[-1]))
    return code_points


def read_classes(package):
    cls = [CLASS_IDS['undefined']] * MAX_CODEPOINT
    assigned = [False] * MAX_CODEPOINT
    for name, categories in CLASS_CATEGORIES.items():
        for category in categories:
            path = os.path.join(package, 'General_Category', category, 'ranges.mjs')
            for cp in read_ranges(path):
                if assigned[cp]:
                    sys.exit('%s: U+%04X is already in another class' % (path, cp))
                assigned[cp] = True
                cls[cp] = CLASS_IDS[name]
    # Every code point the classes leave out must be the package's Unassigned, and only those:
    # a category missing from CLASS_CATEGORIES would otherwise pass as unassigned silently.
    unassigned_path = os.path.join(package, 'General_Category', 'Unassigned', 'ranges.mjs')
    unassigned = set(read_ranges(unassigned_path))
    for cp in range(MAX_CODEPOINT):
        if assigned[cp] == (cp in unassigned):
            sys.exit('%s: U+%04X is %s there but %s by the classes' % (
                unassigned_path, cp, 'unassigned' if cp in unassigned else 'not listed',
                'assigned' if assigned[cp] else 'not assigned'))
    return cls


def read_package_identity(package):
    """(package name, package version, Unicode version) from the package's package.json."""
    path = os.path.join(package, 'package.json')
    with open(path, encoding='utf-8') as f:
        meta = json.load(f)
    match = re.fullmatch(r'@unicode/unicode-(\d+\.\d+\.\d+)', meta.get('name', ''))
    if not match:
        sys.exit('%s: name %r is not @unicode/unicode-<version>' % (path, meta.get('name')))
    return meta['name'], meta['version'], match.group(1)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    package = sys.argv[1]
    name, package_version, unicode_version = read_package_identity(package)
    cls = read_classes(package)
    whitespace_path = os.path.join(package, 'Binary_Property', 'White_Space', 'ranges.mjs')
    whitespace = set(read_ranges(whitespace_path))
    values = [cls[c] | (WHITESPACE_BIT if c in whitespace else 0) for c in range(MAX_CODEPOINT)]

    starts = []
    for c in range(MAX_CODEPOINT):
        if c == 0 or values[c] != values[c - 1]:
            starts.append((c, values[c]))

    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'unicode_tables.cpp')
    with open(out_path, 'w', encoding='utf-8') as out:
        out.write('// GENERATED by gen_unicode_tables.py from the Unicode Character Database %s\n'
                  % unicode_version)
        out.write('// (npm package %s@%s). Do not edit; rerun the script instead.\n'
                  % (name, package_version))
        out.write('#include "tokenizer/unicode_class.h"\n\n')
        out.write('namespace lamina::unicode_tables {\n\n')
        out.write('const char kUnicodeVersion[] = "%s";\n' % unicode_version)
        out.write('const char kSourcePackage[] = "%s@%s";\n\n' % (name, package_version))
        out.write('// Each entry: first code point of a run, and its class | 0x08 if White_Space.\n')
        out.write('// A run ends where the next one starts; the last one ends at 0x110000.\n')
        out.write('const CodepointRange kRanges[] = {\n')
        for i in range(0, len(starts), 6):
            chunk = starts[i:i + 6]
            out.write('   ' + ''.join(' {0x%06X, 0x%02X},' % s for s in chunk) + '\n')
        out.write('};\n')
        out.write('const size_t kRangeCount = sizeof(kRanges) / sizeof(kRanges[0]);\n\n')
        out.write('}  // namespace lamina::unicode_tables\n')
    print('wrote %s: %d ranges, Unicode %s' % (out_path, len(starts), unicode_version))


if __name__ == '__main__':
    main()
