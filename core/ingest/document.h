#pragma once
// The format-neutral shape of one interleaved document, as every reader
// (HTML folder, MMC4, OBELICS, WebDataset) produces it and the ingest step
// stores it. Plain value types; no I/O here.

#include <QString>
#include <QStringList>
#include <QVector>

namespace rs {

// Where a piece of text sat in its document. Stage-1 filters may drop some
// kinds (code, navigation) by setting, so every block is kept with its kind.
enum class BlockKind {
    Body,      // paragraphs and running prose
    Heading,   // h1..h6, document title
    ListItem,  // li, dt, dd
    TableCell, // td, th
    Caption,   // figure / table captions, figure titles
    Alt,       // an image's alt text
    Title,     // an image's title attribute
    Code,      // pre, code, kbd, samp
    Nav,       // navigation bars, headers/footers of the site chrome
};

QString blockKindName(BlockKind kind);           // stable snake_case key
const char *blockKindKey(BlockKind kind);        // the same key, as static Latin-1
BlockKind blockKindFromName(const QString &name); // Body for unknown names

struct TextBlock {
    QString text;   // whitespace-normalised; may hold several sentences
    BlockKind kind = BlockKind::Body;
    int position = 0; // order in the document, shared with images

    bool operator==(const TextBlock &) const = default;
};

struct ImageRef {
    QString src;          // the reference exactly as the document wrote it
    QString localPath;    // absolute, canonical path of a readable local file; empty when refused
    QString refusal;      // stable reason key when refused (not_local, outside_corpus, missing_file), else empty
    QString alt;
    QString title;
    QString caption;      // figure caption, MMC4 matched sentence, WebDataset caption
    int position = 0;     // order in the document, shared with text blocks
    int matchedBlock = -1; // ground-truth text block index when the format records one (MMC4), else -1

    bool operator==(const ImageRef &) const = default;
};

struct Document {
    QString key;        // unique across the project: "<format>:<source-relative id>"
    QString sourcePath; // the file it came from (HTML page, JSONL file, tar shard)
    QString url;        // original URL when the format records one
    QString title;
    QString license;    // licence/attribution when the source declares one
    QString encoding;   // the character encoding the page was decoded from
    QVector<TextBlock> blocks;
    QVector<ImageRef> images;
    QStringList warnings; // recoverable oddities met while reading (bad charset, broken markup)

    bool operator==(const Document &) const = default;
};

} // namespace rs
