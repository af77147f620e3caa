#pragma once
// ZoomImageView: one image at full resolution with zoom (wheel, +/-, 0 to
// fit, 1 for 100 %), panning by dragging, and optional overlay boxes (expert
// findings: OCR words with their text, faces, ...) in image pixels.

#include <QGraphicsView>
#include <QImage>
#include <QVector>

class QGraphicsPixmapItem;

namespace rs {

class ZoomImageView : public QGraphicsView {
    Q_OBJECT
public:
    struct Box {
        QRectF rect;   // image pixels
        QString label;
        QString kind;  // "ocr", "face", ... picks the colour
    };

    explicit ZoomImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    void setMessage(const QString &text); // shown instead of an image
    void setBoxes(const QVector<Box> &boxes);
    void setOverlaysVisible(bool visible);
    bool overlaysVisible() const { return m_overlays; }
    void fit();
    double zoom() const { return transform().m11(); }

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuildBoxes();

    QGraphicsPixmapItem *m_pixmap = nullptr;
    QVector<Box> m_boxes;
    QList<QGraphicsItem *> m_boxItems;
    bool m_overlays = true;
    bool m_fitted = true;
};

} // namespace rs
