#!/usr/bin/env python3
"""Builds wordnet_nouns.txt, the concept vocabulary of zero-shot tagging
(core/generate/tagexpert.h), from Debian's wordnet-base. A development-time
tool: WordNet is not a runtime dependency, the generated list is committed.

    apt-get install wordnet-base
    python3 resources/concepts/make_wordnet_nouns.py > resources/concepts/wordnet_nouns.txt

Selection (frequencies are SemCor sense-tag counts from cntlist.rev):
  * lemmas of lower-case letters, one or two words, at least 3 characters,
    not proper nouns (the synset writes them capitalised);
  * kept when the lemma's most frequent sense belongs to a visual lexicographer
    file (animal, artifact, body, food, location, object, person, phenomenon,
    plant, shape, substance) and was tagged at least twice, or when any of its
    senses in a concrete file (animal, artifact, food, object, plant) was tagged
    at least once (this brings back rarer fruit, tools and animals).
SemCor is old text: modern objects (laptop, skateboard) are missing; the
corpus's own frequent noun phrases complement the list at run time.
Output: "label<TAB>lexicographer file", sorted, after a comment header.
"""
import collections
import re
import sys

WN = '/usr/share/wordnet'
VISUAL = {5: 'animal', 6: 'artifact', 8: 'body', 13: 'food', 15: 'location', 17: 'object',
          18: 'person', 19: 'phenomenon', 20: 'plant', 25: 'shape', 27: 'substance'}
CONCRETE = {5, 6, 13, 17, 20}


def main():
    synsets = {}
    for line in open(f'{WN}/data.noun', encoding='latin-1'):
        if line.startswith('  '):
            continue
        f = line.split()
        n = int(f[3], 16)
        synsets[f[0]] = (int(f[1]), [f[4 + 2 * i] for i in range(n)])

    tagged = collections.defaultdict(int)   # (lemma, lexfile) -> count over its senses
    first_sense = collections.defaultdict(int)
    for line in open(f'{WN}/cntlist.rev', encoding='latin-1'):
        key, sense, count = line.split()
        lemma, sense_key = key.split('%')
        if not sense_key.startswith('1:'):   # 1 = noun
            continue
        tagged[(lemma, int(sense_key.split(':')[1]))] += int(count)
        if sense == '1':
            first_sense[lemma] = int(count)

    out = {}
    for line in open(f'{WN}/index.noun', encoding='latin-1'):
        if line.startswith('  '):
            continue
        f = line.split()
        lemma, pointers = f[0], int(f[3])
        offsets = f[6 + pointers:]
        if not re.fullmatch(r'[a-z]+(_[a-z]+)?', lemma) or len(lemma) < 3:
            continue
        lex0, words = synsets[offsets[0]]
        written = [w for w in words if re.sub(r'\(.*\)$', '', w).lower() == lemma]
        if written and written[0][0].isupper():
            continue
        if lex0 in VISUAL and first_sense.get(lemma, 0) >= 2:
            out[lemma] = VISUAL[lex0]
            continue
        for off in offsets:
            lex = synsets[off][0]
            if lex in CONCRETE and tagged.get((lemma, lex), 0) >= 1:
                out[lemma] = VISUAL[lex]
                break

    sys.stdout.write('# Concept vocabulary for zero-shot tags (rs::TagExpertFactory).\n'
                     '# Generated from Debian wordnet-base (WordNet 3.0) by\n'
                     '#   apt-get install wordnet-base\n'
                     '#   python3 resources/concepts/make_wordnet_nouns.py > resources/concepts/wordnet_nouns.txt\n'
                     '# (see that script for the selection rule). WordNet 3.0 license: Princeton University,\n'
                     '# https://wordnet.princeton.edu/license-and-commercial-use (permissive, attribution).\n'
                     f'# {len(out)} labels. Format: label<TAB>lexicographer file; lines starting with # are comments.\n')
    for lemma in sorted(out):
        sys.stdout.write(f"{lemma.replace('_', ' ')}\t{out[lemma]}\n")


if __name__ == '__main__':
    main()
