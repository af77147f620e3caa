#pragma once
// QImage -> cv::Mat conversion shared by the OpenCV experts (plugin-private;
// OpenCV types stay out of core headers).

#include <QImage>
#include <QRect>

#include <opencv2/core.hpp>

namespace rs {

// A grey 8-bit copy of `area` of `image` (alpha composited on white).
// Empty Mat when the image is null or the area empty.
cv::Mat toGrayMat(const QImage &image, const QRect &area);

// A BGR 8-bit copy of `area` of `image` (alpha composited on white).
cv::Mat toBgrMat(const QImage &image, const QRect &area);

} // namespace rs
