#include "ui/widgets/zoomimageview.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QWheelEvent>

#include <algorithm>

namespace rs {

ZoomImageView::ZoomImageView(QWidget *parent) : QGraphicsView(parent)
{
    setScene(new QGraphicsScene(this));
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setRenderHint(QPainter::SmoothPixmapTransform);
    setBackgroundBrush(QColor(0x30, 0x30, 0x30));
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(QStringLiteral("Wheel or +/- to zoom, 0 to fit, 1 for 100 %, drag to pan"));
}

void ZoomImageView::setImage(const QImage &image)
{
    scene()->clear();
    m_boxItems.clear();
    m_pixmap = scene()->addPixmap(QPixmap::fromImage(image));
    scene()->setSceneRect(m_pixmap->boundingRect());
    rebuildBoxes();
    fit();
}

void ZoomImageView::setMessage(const QString &text)
{
    scene()->clear();
    m_boxItems.clear();
    m_pixmap = nullptr;
    auto *item = scene()->addSimpleText(text);
    item->setBrush(Qt::lightGray);
    scene()->setSceneRect(item->boundingRect().adjusted(-20, -20, 20, 20));
    resetTransform();
}

void ZoomImageView::setBoxes(const QVector<Box> &boxes)
{
    m_boxes = boxes;
    rebuildBoxes();
}

void ZoomImageView::setOverlaysVisible(bool visible)
{
    m_overlays = visible;
    for (QGraphicsItem *item : m_boxItems)
        item->setVisible(visible);
}

void ZoomImageView::rebuildBoxes()
{
    for (QGraphicsItem *item : m_boxItems) {
        scene()->removeItem(item);
        delete item;
    }
    m_boxItems.clear();
    if (!m_pixmap)
        return;
    for (const Box &b : m_boxes) {
        const QColor color = b.kind == QLatin1String("ocr") ? QColor(255, 200, 0) : b.kind == QLatin1String("face") ? QColor(0, 220, 120) : QColor(0, 180, 255);
        auto *rect = scene()->addRect(b.rect, QPen(color, 0));
        rect->setToolTip(b.kind + QStringLiteral(": ") + b.label);
        rect->setVisible(m_overlays);
        m_boxItems.append(rect);
        if (!b.label.isEmpty()) {
            // The label lives in image coordinates, sized like the text it
            // names, just above its box: it zooms with the image instead of
            // piling up at a fixed size over a small preview.
            auto *text = new QGraphicsSimpleTextItem(b.label);
            QFont font = text->font();
            font.setPixelSize(int(std::clamp(b.rect.height() * 0.8, 6.0, 48.0)));
            text->setFont(font);
            text->setBrush(color);
            const QRectF bounds = text->boundingRect();
            const QPointF at(b.rect.left(), std::max(0.0, b.rect.top() - bounds.height()));
            auto *background = scene()->addRect(QRectF(at, bounds.size()), Qt::NoPen, QColor(0, 0, 0, 170));
            text->setPos(at);
            scene()->addItem(text);
            for (QGraphicsItem *item : {static_cast<QGraphicsItem *>(background), static_cast<QGraphicsItem *>(text)}) {
                item->setVisible(m_overlays);
                m_boxItems.append(item);
            }
        }
    }
}

void ZoomImageView::fit()
{
    m_fitted = true;
    if (!m_pixmap)
        return;
    const QRectF r = m_pixmap->boundingRect();
    // Never enlarge small images past 100 % when fitting: pixels stay honest.
    if (r.width() <= viewport()->width() && r.height() <= viewport()->height()) {
        resetTransform();
        centerOn(r.center());
    } else {
        fitInView(r, Qt::KeepAspectRatio);
    }
}

void ZoomImageView::wheelEvent(QWheelEvent *event)
{
    const double factor = event->angleDelta().y() > 0 ? 1.25 : 0.8;
    m_fitted = false;
    scale(factor, factor);
}

void ZoomImageView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: m_fitted = false; scale(1.25, 1.25); return;
    case Qt::Key_Minus: m_fitted = false; scale(0.8, 0.8); return;
    case Qt::Key_0: fit(); return;
    case Qt::Key_1: m_fitted = false; resetTransform(); return;
    default: break;
    }
    QGraphicsView::keyPressEvent(event);
}

void ZoomImageView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitted)
        fit();
}

} // namespace rs
