#pragma once
// Tiling a large image for OCR and putting the per-tile words back together.
//
// Tiles overlap by `overlap` pixels. Each tile owns a "core": the tiles'
// cores split the image without gaps or overlaps (the boundary between two
// neighbours is the middle of their shared strip). A word is kept only from
// the tile whose core holds its centre, so a word narrower than the overlap
// is kept exactly once, from a tile that saw it whole; cut-off fragments at
// a tile edge lie outside that tile's core and are dropped. A second pass
// drops any remaining near-duplicates (same text and IoU > 0.5, or one box
// mostly inside the other). Lines are rebuilt from the kept words: words on
// the same Tesseract line of one tile form a line, and line pieces from
// neighbouring tiles that sit on the same row and touch are joined.

#include "core/generate/finding.h"

#include <QRect>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QVector>

namespace rs {

struct OcrTile {
    QRect rect;  // pixels of the analysed area covered by the tile
    QRectF core; // the part of rect this tile owns
};

struct OcrWord {
    QRectF box;        // analysed-area pixels
    QString text;
    double confidence = 0; // 0..1
    int tile = 0;          // index into the tile list
    int line = 0;          // Tesseract's line number inside the tile
};

// Tiles of at most tileSide x tileSide covering an area of `size`; one tile
// when the area fits. overlap < tileSide / 2 is enforced.
QVector<OcrTile> ocrTiles(const QSize &size, int tileSide, int overlap);

// Deduplicates words across tiles and derives lines; returns "ocr" findings
// ("word" then "line" level), boxes shifted by `offset`, in reading order.
Findings assembleOcrFindings(const QVector<OcrTile> &tiles, const QVector<OcrWord> &words, const QPointF &offset);

} // namespace rs
