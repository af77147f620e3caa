#pragma once
// A small HTML corpus for the curator's power tools (search, "more like
// this", snapshots and diffs), with known answers:
//  - 16 pictures that differ in colour and pattern, one page each, with
//    sentences about them, an alt text and a figure caption;
//  - `nearCopyFile`: picture 0 with a small mark in a corner, on a page
//    of its own: its nearest image by embedding is picture 0
//    (and the other way round);
//  - picture `rareWordsImage` has the alt text "zebra quokka", two words
//    no other text holds (too short to be a sentence, so never retrieved
//    for another image): searching them finds that picture first.
// Run with experts off and extract.near_duplicates=false (see
// powerRunSettings) so the copy survives to be embedded.

#include <QString>
#include <QStringList>

namespace rs::test {

struct PowerCorpus {
    QString dir;            // corpus folder (ingest --format html DIR)
    QString originalFile;   // file name of picture 0 ("p00.png")
    QString nearCopyFile;   // its near copy ("p00-copy.png")
    QString rareWordsFile;  // the picture with alt "zebra quokka"
    QString rareWordsQuery; // "zebra quokka"
};

// Writes the corpus under `root`/corpus. Returns an empty dir on error.
PowerCorpus makePowerCorpus(const QString &root);

// --set arguments for `realsyn run` that keep the run fast and the copy in.
QStringList powerRunSettings();

} // namespace rs::test
