#include "plugins/expert_tesseract/ocrlayout.h"

#include "core/util/unionfind.h"

#include <QMap>

#include <algorithm>

namespace rs {

namespace {

struct Span {
    int start = 0, end = 0;      // [start, end)
    double coreStart = 0, coreEnd = 0;
};

QVector<Span> spans(int length, int side, int overlap)
{
    QVector<Span> out;
    if (length <= side) {
        out.push_back({0, length, 0, double(length)});
        return out;
    }
    const int step = side - overlap;
    for (int s = 0;; s += step) {
        const int start = std::min(s, length - side); // the last tile is flush with the end
        out.push_back({start, start + side, 0, 0});
        if (start + side >= length)
            break;
    }
    for (int i = 0; i < out.size(); ++i) {
        out[i].coreStart = i == 0 ? 0 : (out[i - 1].end + out[i].start) / 2.0;
        out[i].coreEnd = i + 1 == out.size() ? double(length) : (out[i].end + out[i + 1].start) / 2.0;
    }
    return out;
}

double iou(const QRectF &a, const QRectF &b)
{
    const QRectF i = a.intersected(b);
    if (i.isEmpty())
        return 0;
    const double inter = i.width() * i.height();
    return inter / (a.width() * a.height() + b.width() * b.height() - inter);
}

// Share of the smaller box that lies inside the larger one.
double containment(const QRectF &a, const QRectF &b)
{
    const QRectF i = a.intersected(b);
    if (i.isEmpty())
        return 0;
    return i.width() * i.height() / std::min(a.width() * a.height(), b.width() * b.height());
}

} // namespace

QVector<OcrTile> ocrTiles(const QSize &size, int tileSide, int overlap)
{
    QVector<OcrTile> tiles;
    if (size.isEmpty() || tileSide <= 0)
        return tiles;
    overlap = std::clamp(overlap, 0, tileSide / 2 - 1);
    const QVector<Span> xs = spans(size.width(), tileSide, overlap);
    const QVector<Span> ys = spans(size.height(), tileSide, overlap);
    for (const Span &y : ys) {
        for (const Span &x : xs) {
            tiles.push_back({QRect(x.start, y.start, x.end - x.start, y.end - y.start),
                             QRectF(QPointF(x.coreStart, y.coreStart), QPointF(x.coreEnd, y.coreEnd))});
        }
    }
    return tiles;
}

Findings assembleOcrFindings(const QVector<OcrTile> &tiles, const QVector<OcrWord> &words, const QPointF &offset)
{
    // 1. Ownership: keep a word only from the tile whose core holds its centre.
    QVector<OcrWord> kept;
    for (const OcrWord &w : words) {
        if (w.tile < 0 || w.tile >= tiles.size())
            continue;
        const QRectF &core = tiles[w.tile].core;
        const QPointF c = w.box.center();
        if (c.x() >= core.left() && c.x() < core.right() && c.y() >= core.top() && c.y() < core.bottom())
            kept.push_back(w);
    }

    // 2. Safety net for words wider than the overlap: drop near-duplicates,
    //    keeping the more confident (then the larger) box.
    std::stable_sort(kept.begin(), kept.end(), [](const OcrWord &a, const OcrWord &b) {
        if (a.confidence != b.confidence)
            return a.confidence > b.confidence;
        return a.box.width() * a.box.height() > b.box.width() * b.box.height();
    });
    QVector<OcrWord> unique;
    for (const OcrWord &w : kept) {
        bool duplicate = false;
        for (const OcrWord &u : unique) {
            if (u.tile == w.tile)
                continue;
            if ((u.text == w.text && iou(u.box, w.box) > 0.5) || containment(u.box, w.box) > 0.7) {
                duplicate = true;
                break;
            }
        }
        if (!duplicate)
            unique.push_back(w);
    }

    // 3. Lines: group by (tile, line), then join pieces across tiles.
    QMap<QPair<int, int>, QVector<int>> groups;
    for (int i = 0; i < unique.size(); ++i)
        groups[qMakePair(unique[i].tile, unique[i].line)].push_back(i);
    const QVector<QPair<int, int>> keys = groups.keys().toVector();
    QVector<QRectF> groupBox(keys.size());
    for (int g = 0; g < keys.size(); ++g) {
        for (int i : groups[keys[g]])
            groupBox[g] = groupBox[g].isNull() ? unique[i].box : groupBox[g].united(unique[i].box);
    }
    UnionFind lineSets(int(keys.size()));
    for (int a = 0; a < keys.size(); ++a) {
        for (int b = a + 1; b < keys.size(); ++b) {
            if (keys[a].first == keys[b].first)
                continue;
            const QRectF &ra = groupBox[a];
            const QRectF &rb = groupBox[b];
            const double hmin = std::min(ra.height(), rb.height());
            const double hmax = std::max(ra.height(), rb.height());
            const double vOverlap = std::min(ra.bottom(), rb.bottom()) - std::max(ra.top(), rb.top());
            const double gap = std::max(ra.left(), rb.left()) - std::min(ra.right(), rb.right());
            if (vOverlap >= 0.5 * hmin && gap <= 1.5 * hmax)
                lineSets.unite(a, b);
        }
    }
    QMap<int, QVector<int>> lines; // root -> word indices
    for (int g = 0; g < keys.size(); ++g)
        lines[lineSets.find(g)] += groups[keys[g]];

    // Reading order: lines top to bottom (by centre, then left edge), words
    // by their line, then left to right. Plain keys keep the sort a strict
    // weak ordering.
    QVector<QVector<int>> lineMembers;
    for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
        QVector<int> members = it.value();
        std::sort(members.begin(), members.end(), [&](int a, int b) { return unique[a].box.x() < unique[b].box.x(); });
        lineMembers.push_back(members);
    }
    auto lineBox = [&](const QVector<int> &members) {
        QRectF box;
        for (int i : members)
            box = box.isNull() ? unique[i].box : box.united(unique[i].box);
        return box;
    };
    std::sort(lineMembers.begin(), lineMembers.end(), [&](const QVector<int> &a, const QVector<int> &b) {
        const QRectF ra = lineBox(a), rb = lineBox(b);
        if (ra.center().y() != rb.center().y())
            return ra.center().y() < rb.center().y();
        return ra.x() < rb.x();
    });

    Findings out;
    Findings lineFindings;
    for (const QVector<int> &members : lineMembers) {
        Finding line;
        line.kind = QStringLiteral("ocr");
        line.level = QStringLiteral("line");
        line.box = lineBox(members).translated(offset);
        QStringList texts;
        double conf = 0;
        for (int i : members) {
            const OcrWord &w = unique[i];
            Finding word;
            word.kind = QStringLiteral("ocr");
            word.level = QStringLiteral("word");
            word.box = w.box.translated(offset);
            word.text = w.text;
            word.confidence = w.confidence;
            out.push_back(word);
            texts << w.text;
            conf += w.confidence;
        }
        line.text = texts.join(QLatin1Char(' '));
        line.confidence = conf / members.size();
        lineFindings.push_back(line);
    }
    out += lineFindings;
    return out;
}

} // namespace rs
