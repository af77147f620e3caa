#include "ui/widgets/zoomimageview.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QWheelEvent>

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
            auto *text = scene()->addSimpleText(b.label);
            text->setBrush(color);
            text->setPos(b.rect.bottomLeft());
            text->setFlag(QGraphicsItem::ItemIgnoresTransformations);
            text->setVisible(m_overlays);
            m_boxItems.append(text);
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
