#include "ui/widgets/pointmapview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QThread>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rs {

namespace {

// Opacity of a binned pixel by how many points it holds: one point shows
// at half strength, sixteen or more fully.
struct AlphaTable {
    int a[17];
    AlphaTable()
    {
        for (int n = 1; n <= 16; ++n)
            a[n] = int(std::lround(256 * std::min(1.0, 0.5 + 0.5 * std::log2(double(n)) / 4.0)));
        a[0] = 0;
    }
};

inline QRgb blend(QRgb bg, int r, int g, int b, int alpha256)
{
    const int ia = 256 - alpha256;
    return qRgb((qRed(bg) * ia + r * alpha256) >> 8, (qGreen(bg) * ia + g * alpha256) >> 8, (qBlue(bg) * ia + b * alpha256) >> 8);
}

} // namespace

PointMapView::PointMapView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(false);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 120);
}

PointMapView::~PointMapView() = default;

void PointMapView::setPoints(std::shared_ptr<const std::vector<float>> xy)
{
    m_xy = std::move(xy);
    m_colors.reset();
    m_bounds = QRectF();
    if (m_xy && !m_xy->empty()) {
        float minX = (*m_xy)[0], maxX = minX, minY = (*m_xy)[1], maxY = minY;
        for (size_t i = 0; i + 1 < m_xy->size(); i += 2) {
            minX = std::min(minX, (*m_xy)[i]), maxX = std::max(maxX, (*m_xy)[i]);
            minY = std::min(minY, (*m_xy)[i + 1]), maxY = std::max(maxY, (*m_xy)[i + 1]);
        }
        m_bounds = QRectF(QPointF(minX, minY), QPointF(maxX, maxY));
    }
    m_selection.clear();
    m_selected.assign(size_t(pointCount()), 0);
    fitAll();
}

void PointMapView::setColors(std::shared_ptr<const std::vector<QRgb>> colors)
{
    if (colors && qint64(colors->size()) != pointCount())
        colors.reset(); // a stale colouring for other points: show none rather than wrong ones
    m_colors = std::move(colors);
    update();
}

void PointMapView::setSelection(std::vector<qint32> indices)
{
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    std::fill(m_selected.begin(), m_selected.end(), 0);
    std::vector<qint32> kept;
    kept.reserve(indices.size());
    for (qint32 i : indices)
        if (i >= 0 && i < pointCount()) {
            m_selected[size_t(i)] = 1;
            kept.push_back(i);
        }
    m_selection = std::move(kept);
    update();
    Q_EMIT selectionChanged();
}

void PointMapView::fitAll()
{
    m_center = m_bounds.center();
    const double bw = m_bounds.width(), bh = m_bounds.height();
    if (bw <= 0 && bh <= 0)
        m_scale = 1; // no points, or all on one spot
    else
        m_scale = std::max(1e-9, 0.92 * std::min(width() / std::max(bw, 1e-9), height() / std::max(bh, 1e-9)));
    update();
    Q_EMIT viewChanged();
}

void PointMapView::setView(QPointF center, double pixelsPerUnit)
{
    m_center = center;
    m_scale = std::max(pixelsPerUnit, 1e-12);
    update();
    Q_EMIT viewChanged();
}

void PointMapView::panBy(QPointF pixels)
{
    setView(m_center - QPointF(pixels.x() / m_scale, -pixels.y() / m_scale), m_scale);
}

void PointMapView::zoomAt(QPointF pixel, double factor)
{
    // The data point under the cursor stays under it.
    const QPointF anchor = toData(pixel);
    m_scale = std::clamp(m_scale * factor, 1e-9, 1e12);
    m_center = anchor - QPointF((pixel.x() - width() / 2.0) / m_scale, -(pixel.y() - height() / 2.0) / m_scale);
    update();
    Q_EMIT viewChanged();
}

QPointF PointMapView::toPixel(QPointF data) const
{
    return {(data.x() - m_center.x()) * m_scale + width() / 2.0, height() / 2.0 - (data.y() - m_center.y()) * m_scale};
}

QPointF PointMapView::toData(QPointF pixel) const
{
    return {m_center.x() + (pixel.x() - width() / 2.0) / m_scale, m_center.y() - (pixel.y() - height() / 2.0) / m_scale};
}

std::vector<qint32> PointMapView::pointsInPolygon(const QPolygonF &polygon) const
{
    std::vector<qint32> out;
    if (!m_xy || polygon.size() < 3)
        return out;
    QPolygonF data;
    data.reserve(polygon.size());
    for (const QPointF &p : polygon)
        data << toData(p);
    const QRectF box = data.boundingRect();
    const float *xy = m_xy->data();
    const qint64 n = pointCount();
    for (qint64 i = 0; i < n; ++i) {
        const QPointF p(xy[2 * i], xy[2 * i + 1]);
        if (box.contains(p) && data.containsPoint(p, Qt::OddEvenFill))
            out.push_back(qint32(i));
    }
    return out;
}

qint32 PointMapView::pointAt(QPointF pixel, double radius) const
{
    if (!m_xy)
        return -1;
    const QPointF d = toData(pixel);
    const double r = radius / m_scale;
    double best = r * r;
    qint32 found = -1;
    const float *xy = m_xy->data();
    for (qint64 i = 0; i < pointCount(); ++i) {
        const double dx = xy[2 * i] - d.x(), dy = xy[2 * i + 1] - d.y();
        const double d2 = dx * dx + dy * dy;
        if (d2 <= best) {
            best = d2;
            found = qint32(i);
        }
    }
    return found;
}

void PointMapView::renderFrame()
{
    const int w = std::max(1, width()), h = std::max(1, height());
    if (m_frame.size() != QSize(w, h)) {
        m_frame = QImage(w, h, QImage::Format_RGB32);
        m_bins.assign(size_t(w) * size_t(h), Bin{0, 0, 0, 0});
    }
    const QRgb bg = palette().color(QPalette::Base).rgb();
    const QRgb fg = palette().color(QPalette::Text).rgb();
    const QRgb hl = palette().color(QPalette::Highlight).rgb();
    m_frame.fill(bg);
    m_lastVisible = 0;
    m_lastBinned = false;
    const qint64 n = pointCount();
    if (n == 0)
        return;
    const float *xy = m_xy->data();
    const float cx = float(m_center.x()), cy = float(m_center.y()), s = float(m_scale);
    const float ox = w / 2.f - cx * s, oy = h / 2.f + cy * s; // pixel = (x * s + ox, oy - y * s)
    const float fw = float(w), fh = float(h);

    auto *bits = reinterpret_cast<QRgb *>(m_frame.bits());
    const qsizetype stride = m_frame.bytesPerLine() / qsizetype(sizeof(QRgb));

    // Bin: count and summed colour per pixel. The screen is cut into
    // horizontal bands, one task each: every task reads all points but
    // writes only its own rows, so no two threads touch one bin.
    const int bands = std::clamp(QThread::idealThreadCount(), 1, 32);
    struct Band {
        int minX, maxX, minY, maxY;
        qint64 visible;
    };
    std::vector<Band> band(static_cast<size_t>(bands));
    std::vector<int> bandIndex(static_cast<size_t>(bands));
    std::iota(bandIndex.begin(), bandIndex.end(), 0);
    Bin *bins = m_bins.data();
    QtConcurrent::blockingMap(bandIndex, [&](int b) {
        const int y0 = h * b / bands, y1 = h * (b + 1) / bands;
        const float fy0 = float(y0), fy1 = float(y1);
        Band r{w, -1, h, -1, 0};
        for (qint64 i = 0; i < n; ++i) {
            const float py = oy - xy[2 * i + 1] * s;
            if (!(py >= fy0 && py < fy1))
                continue;
            const float px = xy[2 * i] * s + ox;
            if (!(px >= 0.f && px < fw))
                continue;
            const int x = int(px), y = int(py);
            const QRgb c = m_selected[size_t(i)] ? hl : colorOf(i, fg);
            Bin &bin = bins[size_t(y) * size_t(w) + size_t(x)];
            ++bin.n;
            bin.r += quint32(qRed(c));
            bin.g += quint32(qGreen(c));
            bin.b += quint32(qBlue(c));
            ++r.visible;
            r.minX = std::min(r.minX, x), r.maxX = std::max(r.maxX, x);
            r.minY = std::min(r.minY, y), r.maxY = std::max(r.maxY, y);
        }
        band[size_t(b)] = r;
    });
    qint64 visible = 0;
    for (const Band &r : band)
        visible += r.visible;
    m_lastVisible = visible;
    m_lastBinned = visible > kDotThreshold;

    // Resolve the touched rectangle of each band (zeroing its bins for the
    // next frame); close up, only zero them and draw dots below.
    static const AlphaTable alpha;
    const bool binned = m_lastBinned;
    QtConcurrent::blockingMap(bandIndex, [&](int b) {
        const Band &r = band[size_t(b)];
        for (int y = r.minY; y <= r.maxY; ++y) {
            Bin *row = bins + size_t(y) * size_t(w);
            QRgb *out = bits + y * stride;
            for (int x = r.minX; x <= r.maxX; ++x) {
                Bin &bin = row[x];
                if (bin.n == 0)
                    continue;
                if (binned)
                    out[x] = blend(bg, int(bin.r / bin.n), int(bin.g / bin.n), int(bin.b / bin.n), alpha.a[std::min<quint32>(bin.n, 16)]);
                bin = Bin{0, 0, 0, 0};
            }
        }
    });
    if (binned)
        return;

    // Close up: each point a dot (radius 2), the selection on top, larger.
    const auto stamp = [&](float px, float py, QRgb c, int radius) {
        const int x0 = int(px), y0 = int(py);
        for (int dy = -radius; dy <= radius; ++dy) {
            const int y = y0 + dy;
            if (y < 0 || y >= h)
                continue;
            const int span = int(std::sqrt(double(radius * radius - dy * dy) + 0.5));
            QRgb *out = bits + y * stride;
            for (int x = std::max(0, x0 - span); x <= std::min(w - 1, x0 + span); ++x)
                out[x] = c;
        }
    };
    for (int pass = 0; pass < 2; ++pass) {
        for (qint64 i = 0; i < n; ++i) {
            if (bool(m_selected[size_t(i)]) != (pass == 1))
                continue;
            const float px = xy[2 * i] * s + ox, py = oy - xy[2 * i + 1] * s;
            if (px < -4.f || px >= fw + 4.f || py < -4.f || py >= fh + 4.f)
                continue;
            if (pass == 1)
                stamp(px, py, fg, 4); // a ring around the highlight
            stamp(px, py, pass == 1 ? hl : colorOf(i, fg), pass == 1 ? 3 : 2);
        }
    }
}

void PointMapView::paintEvent(QPaintEvent *)
{
    renderFrame();
    QPainter p(this);
    p.drawImage(0, 0, m_frame);
    if (m_lasso.size() > 1) {
        p.setRenderHint(QPainter::Antialiasing);
        QColor fill = palette().color(QPalette::Highlight);
        fill.setAlpha(40);
        QPainterPath path;
        path.addPolygon(m_lasso);
        path.closeSubpath();
        p.fillPath(path, fill);
        p.setPen(QPen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine));
        p.drawPath(path);
    }
}

void PointMapView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_pressPos = m_lastPos = event->position();
    m_moved = false;
    m_addToSelection = event->modifiers() & Qt::ControlModifier;
    m_drag = (m_lassoMode || (event->modifiers() & Qt::ShiftModifier)) ? Drag::Lasso : Drag::Pan;
    m_lasso.clear();
    if (m_drag == Drag::Lasso)
        m_lasso << m_pressPos;
}

void PointMapView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_drag == Drag::None)
        return;
    const QPointF pos = event->position();
    if ((pos - m_pressPos).manhattanLength() > 3)
        m_moved = true;
    if (m_drag == Drag::Pan) {
        panBy(pos - m_lastPos);
    } else if ((pos - m_lasso.last()).manhattanLength() >= 3) {
        // Vertices at least 3 px apart: a long lasso stays cheap to test.
        m_lasso << pos;
        update();
    }
    m_lastPos = pos;
}

void PointMapView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_drag == Drag::None)
        return;
    const Drag drag = m_drag;
    m_drag = Drag::None;
    if (!m_moved) {
        m_lasso.clear();
        const qint32 hit = pointAt(event->position());
        if (hit >= 0)
            Q_EMIT pointClicked(hit);
        update();
        return;
    }
    if (drag == Drag::Lasso) {
        m_lasso << event->position();
        std::vector<qint32> picked = pointsInPolygon(m_lasso);
        if (m_addToSelection)
            picked.insert(picked.end(), m_selection.begin(), m_selection.end());
        m_lasso.clear();
        setSelection(std::move(picked));
        Q_EMIT selectionDrawn();
    }
}

void PointMapView::wheelEvent(QWheelEvent *event)
{
    zoomAt(event->position(), std::pow(1.0015, event->angleDelta().y()));
    event->accept();
}

void PointMapView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Keep the same data in sight: scale with the smaller side.
    if (event->oldSize().isValid() && event->oldSize().width() > 0 && event->oldSize().height() > 0) {
        const double old = std::min(event->oldSize().width(), event->oldSize().height());
        m_scale *= std::min(width(), height()) / old;
    } else {
        fitAll();
    }
}

} // namespace rs
