#include "plugins/expert_opencv/cvimage.h"

#include <QPainter>

#include <opencv2/imgproc.hpp>

namespace rs {

namespace {

QImage flatten(const QImage &image, const QRect &area, QImage::Format format)
{
    QImage part = image.copy(area);
    if (part.hasAlphaChannel()) {
        QImage flat(part.size(), QImage::Format_RGB888);
        flat.fill(Qt::white);
        QPainter p(&flat);
        p.drawImage(0, 0, part);
        p.end();
        part = flat;
    }
    return part.convertToFormat(format);
}

} // namespace

cv::Mat toGrayMat(const QImage &image, const QRect &area)
{
    if (image.isNull() || area.isEmpty())
        return {};
    const QImage gray = flatten(image, area, QImage::Format_Grayscale8);
    if (gray.isNull())
        return {};
    return cv::Mat(gray.height(), gray.width(), CV_8UC1, const_cast<uchar *>(gray.constBits()), size_t(gray.bytesPerLine()))
        .clone();
}

cv::Mat toBgrMat(const QImage &image, const QRect &area)
{
    if (image.isNull() || area.isEmpty())
        return {};
    const QImage rgb = flatten(image, area, QImage::Format_RGB888);
    if (rgb.isNull())
        return {};
    const cv::Mat view(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar *>(rgb.constBits()), size_t(rgb.bytesPerLine()));
    cv::Mat bgr;
    cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

} // namespace rs
