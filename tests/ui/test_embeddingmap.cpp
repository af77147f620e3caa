// The embedding map (ui/widgets/pointmapview, ui/views/embeddingmappanel):
// a lasso drawn with the mouse selects exactly the points inside it, in
// both drawing modes (dots close up, binned far out); a plain drag pans and
// selects nothing; the panel turns the selection into image ids and exports
// them.

#include "core/index/embeddinglayout.h"
#include "ui/models/projectsession.h"
#include "core/util/idlist.h"
#include "ui/views/embeddingmappanel.h"
#include "ui/widgets/pointmapview.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QTest>

#include <cmath>
#include <random>

using namespace rs;

namespace {

// Drags the left button through `path` (widget pixels) with `modifiers`.
void drag(QWidget *w, const QVector<QPointF> &path, Qt::KeyboardModifiers modifiers)
{
    QTest::mousePress(w, Qt::LeftButton, modifiers, path.front().toPoint());
    for (qsizetype i = 1; i < path.size(); ++i) {
        // Intermediate points too: the lasso records a vertex every few pixels.
        const QPointF from = path[i - 1], to = path[i];
        for (int s = 1; s <= 10; ++s) {
            const QPointF p = from + (to - from) * (s / 10.0);
            QMouseEvent move(QEvent::MouseMove, p, w->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, modifiers);
            QApplication::sendEvent(w, &move);
        }
    }
    QTest::mouseRelease(w, Qt::LeftButton, modifiers, path.back().toPoint());
}

// The rectangle [x0, x1] x [y0, y1] in data units as a closed lasso in pixels.
QVector<QPointF> rectangleLasso(const PointMapView &map, double x0, double y0, double x1, double y1)
{
    return {map.toPixel({x0, y0}), map.toPixel({x1, y0}), map.toPixel({x1, y1}), map.toPixel({x0, y1}), map.toPixel({x0, y0})};
}

} // namespace

class TestEmbeddingMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lassoSelectsGridPoints()
    {
        // A 10 x 10 grid: point i*10 + j at (i, j).
        auto xy = std::make_shared<std::vector<float>>();
        for (int i = 0; i < 10; ++i)
            for (int j = 0; j < 10; ++j)
                xy->insert(xy->end(), {float(i), float(j)});
        PointMapView map;
        map.resize(400, 400);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.setPoints(xy);

        // Plain drag: pans, selects nothing.
        const QPointF before = map.center();
        drag(&map, {QPointF(200, 200), QPointF(260, 230)}, Qt::NoModifier);
        QVERIFY(map.selection().empty());
        QVERIFY(map.center() != before);
        map.fitAll();

        // Shift+drag around x in [2, 5], y in [3, 6]: exactly those 16 points.
        drag(&map, rectangleLasso(map, 1.5, 2.5, 5.5, 6.5), Qt::ShiftModifier);
        std::vector<qint32> expected;
        for (int i = 2; i <= 5; ++i)
            for (int j = 3; j <= 6; ++j)
                expected.push_back(i * 10 + j);
        QCOMPARE(map.selection(), expected);
        map.grab(); // draws the selection (dots mode: 100 points)
        QVERIFY(!map.lastFrameBinned());
        QCOMPARE(map.lastVisible(), qint64(100));

        // Ctrl adds a second lasso's points (x = 8, y in [0, 1]).
        drag(&map, rectangleLasso(map, 7.5, -0.5, 8.5, 1.5), Qt::ShiftModifier | Qt::ControlModifier);
        expected.push_back(80);
        expected.push_back(81);
        std::sort(expected.begin(), expected.end());
        QCOMPARE(map.selection(), expected);

        // Lasso mode: no Shift needed; a new lasso replaces the selection.
        map.setLassoMode(true);
        drag(&map, rectangleLasso(map, -0.5, -0.5, 0.5, 0.5), Qt::NoModifier);
        QCOMPARE(map.selection(), std::vector<qint32>{0});
    }

    void lassoWhenBinned()
    {
        // 100k random points: far out they are binned per pixel; the lasso
        // still selects exactly the points inside (a triangle here).
        constexpr int n = 100000;
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(-1.f, 1.f);
        auto xy = std::make_shared<std::vector<float>>();
        for (int i = 0; i < 2 * n; ++i)
            xy->push_back(u(rng));
        PointMapView map;
        map.resize(500, 400);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.setPoints(xy);
        const QImage frame = map.grab().toImage();
        QVERIFY(map.lastFrameBinned());
        QCOMPARE(map.lastVisible(), qint64(n));
        // The points show: most of the square they fill is not background.
        const QRgb base = map.palette().color(QPalette::Base).rgb();
        int drawn = 0;
        for (int y = 0; y < frame.height(); ++y)
            for (int x = 0; x < frame.width(); ++x)
                drawn += frame.pixel(x, y) != base;
        QVERIFY2(drawn > 50000, qPrintable(QString::number(drawn)));

        const QPointF a(-0.8, -0.8), b(0.8, -0.8), c(0.0, 0.7);
        drag(&map, {map.toPixel(a), map.toPixel(b), map.toPixel(c), map.toPixel(a)}, Qt::ShiftModifier);
        // Points clearly inside / outside the triangle (the lasso's pixel
        // rounding decides those within a hair of an edge).
        // Signed distance of r from the edge p -> q (positive: inside).
        const auto side = [](QPointF p, QPointF q, QPointF r) {
            return ((q.x() - p.x()) * (r.y() - p.y()) - (q.y() - p.y()) * (r.x() - p.x())) / std::hypot(q.x() - p.x(), q.y() - p.y());
        };
        std::vector<quint8> picked(n, 0);
        for (qint32 i : map.selection())
            picked[size_t(i)] = 1;
        int inside = 0, wrong = 0;
        for (int i = 0; i < n; ++i) {
            const QPointF p((*xy)[2 * i], (*xy)[2 * i + 1]);
            const double s1 = side(a, b, p), s2 = side(b, c, p), s3 = side(c, a, p);
            const double margin = 0.03; // about 5 px at this zoom
            const bool in = s1 > margin && s2 > margin && s3 > margin;
            const bool out = s1 < -margin || s2 < -margin || s3 < -margin;
            inside += in;
            wrong += (in && !picked[size_t(i)]) || (out && picked[size_t(i)]);
        }
        QVERIFY(inside > 20000);
        QCOMPARE(wrong, 0);

        // Zoomed in close: dots, not bins.
        map.zoomAt(QPointF(250, 200), 60);
        map.grab();
        QVERIFY(!map.lastFrameBinned());
        QVERIFY(map.lastVisible() > 0 && map.lastVisible() <= PointMapView::kDotThreshold);
    }

    void panelSelectionBecomesIds()
    {
        // Image ids 101..160 laid out on a line at x = 0..59.
        ProjectSession session;
        EmbeddingMapPanel panel(&session, nullptr);
        panel.resize(500, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVector<qint64> ids;
        Matrix vectors(60, 3);
        for (int i = 0; i < 60; ++i) {
            ids << 101 + i;
            vectors.row(i)[0] = float(i); // PCA's first axis: x
            vectors.row(i)[1] = (i % 2) ? 0.5f : -0.5f;
        }
        JobContext ctx;
        auto layout = EmbeddingLayout::compute(ids, vectors, {}, ctx);
        QVERIFY(layout.ok());
        panel.setLayout(std::move(*layout));
        PointMapView *map = panel.map();
        QCOMPARE(map->pointCount(), qint64(60));
        // Lasso the points whose first coordinate is 10..19: their x on the map
        // is the PCA coordinate, centred on the mean 29.5 (either sign).
        const auto &xy = panel.layout().positions();
        const double x10 = xy[10 * 2], x19 = xy[19 * 2];
        drag(map, rectangleLasso(*map, std::min(x10, x19) - 0.3, -5, std::max(x10, x19) + 0.3, 5), Qt::ShiftModifier);
        std::vector<qint64> expected;
        for (int i = 10; i < 20; ++i)
            expected.push_back(101 + i);
        QCOMPARE(panel.selectedIds(), expected);

        QTemporaryDir tmp;
        const QString path = tmp.filePath(QStringLiteral("ids.txt"));
        // Saved in the format `realsyn export --ids` reads.
        QVERIFY(panel.saveIdList(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto saved = parseIdList(f.readAll());
        QVERIFY2(saved.ok(), saved.ok() ? "" : qPrintable(saved.error().toString()));
        QCOMPARE(std::vector<qint64>(saved->begin(), saved->end()), expected);

        // The lasso and Clear are undo steps of their own, kept as ids.
        QUndoStack *undo = session.undoStack();
        QCOMPARE(undo->count(), 1);
        panel.clearSelection();
        QVERIFY(panel.selectedIds().empty());
        QCOMPARE(undo->count(), 2);
        undo->undo();
        QCOMPARE(panel.selectedIds(), expected);
        undo->undo();
        QVERIFY(panel.selectedIds().empty());
        undo->redo();
        QCOMPARE(panel.selectedIds(), expected);
        // A recomputed layout keeps the selected images.
        auto again = EmbeddingLayout::compute(ids, vectors, {}, ctx);
        QVERIFY(again.ok());
        panel.setLayout(std::move(*again));
        QCOMPARE(panel.selectedIds(), expected);
    }
};

QTEST_MAIN(TestEmbeddingMap)
#include "test_embeddingmap.moc"
