#pragma once
// PointMapView: a scatter of up to millions of 2-D points, drawn by its own
// raster renderer (QCustomPlot and QPainter-per-point do not scale to 1M).
//
// Rendering: every frame transforms all points to pixels once. Far out,
// the points are binned per screen pixel (count and summed colour) into a
// widget-sized buffer and resolved into one QImage: a pixel shows the mean
// colour of its points, more opaque the more points it holds. Zoomed in
// close (at most kDotThreshold points on screen) each point is stamped as a
// dot instead, so single images can be seen and clicked. Cost is linear in
// the points plus the pixels: about 15 ms at 1M points and 1920x1080 here,
// software only, so it is the same under Xvfb.
//
// Interaction: drag pans, the wheel zooms about the cursor, a click picks
// the nearest point within a few pixels (pointClicked). A drag with Shift
// held, or any drag in lasso mode, draws a lasso: the points inside it
// become the selection (Ctrl adds to it) and selectionChanged() follows.
//
// Data: positions are interleaved x, y (arbitrary units, y up); colours are
// one QRgb per point (null: the palette's text colour). Both are shared,
// immutable arrays; the view keeps references. GUI thread only.

#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include <memory>
#include <vector>

namespace rs {

class PointMapView : public QWidget {
    Q_OBJECT
public:
    // Points on screen up to which each is drawn as a dot, not binned.
    static constexpr qint64 kDotThreshold = 40000;

    explicit PointMapView(QWidget *parent = nullptr);
    ~PointMapView() override;

    // New points (2 floats each); fits the view to them and clears the
    // selection.
    void setPoints(std::shared_ptr<const std::vector<float>> xy);
    // One colour per point (same count as the points), or null.
    void setColors(std::shared_ptr<const std::vector<QRgb>> colors);
    qint64 pointCount() const { return m_xy ? qint64(m_xy->size() / 2) : 0; }

    // Selected point indices, ascending.
    const std::vector<qint32> &selection() const { return m_selection; }
    void setSelection(std::vector<qint32> indices);
    void clearSelection() { setSelection({}); }
    // Indices of the points inside `polygon` (widget pixels), ascending.
    std::vector<qint32> pointsInPolygon(const QPolygonF &polygon) const;
    // The nearest point to `pixel` within `radius` pixels, or -1.
    qint32 pointAt(QPointF pixel, double radius = 6) const;

    void setLassoMode(bool on) { m_lassoMode = on; }
    bool lassoMode() const { return m_lassoMode; }

    // The view: the data point at the widget's centre and pixels per unit.
    void fitAll();
    void setView(QPointF center, double pixelsPerUnit);
    QPointF center() const { return m_center; }
    double pixelsPerUnit() const { return m_scale; }
    void panBy(QPointF pixels);
    void zoomAt(QPointF pixel, double factor);
    QPointF toPixel(QPointF data) const;
    QPointF toData(QPointF pixel) const;

    // Points that landed on screen in the last frame, and how they were drawn.
    qint64 lastVisible() const { return m_lastVisible; }
    bool lastFrameBinned() const { return m_lastBinned; }

Q_SIGNALS:
    void selectionChanged();
    // After selectionChanged(), when the change was the user's lasso (not
    // setSelection() from code): the place to record an undo step.
    void selectionDrawn();
    void pointClicked(qint32 index);
    void viewChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void renderFrame();
    QRgb colorOf(qint64 i, QRgb fallback) const
    {
        return m_colors ? (*m_colors)[size_t(i)] : fallback;
    }

    std::shared_ptr<const std::vector<float>> m_xy;
    std::shared_ptr<const std::vector<QRgb>> m_colors;
    std::vector<qint32> m_selection;
    std::vector<quint8> m_selected; // per point, 1 = in m_selection
    QRectF m_bounds;                // of the data
    QPointF m_center;
    double m_scale = 1;
    bool m_lassoMode = false;

    // Mouse state: a pan or a lasso in progress.
    enum class Drag { None, Pan, Lasso };
    Drag m_drag = Drag::None;
    QPointF m_pressPos, m_lastPos;
    bool m_moved = false, m_addToSelection = false;
    QPolygonF m_lasso;

    QImage m_frame;
    struct Bin {
        quint32 n, r, g, b;
    };
    std::vector<Bin> m_bins; // per pixel of m_frame
    qint64 m_lastVisible = 0;
    bool m_lastBinned = false;
};

} // namespace rs
