#pragma once
// Hand-made, fixed-length image descriptor of the built-in encoder.
//
// Colour (HSV joint histogram, Lab statistics on a 2x2 grid), texture
// (gradient-orientation histograms at two scales, rotation-invariant LBP),
// edge density on a 3x3 grid and layout statistics (aspect, flat regions,
// palette size, colourfulness) that separate screenshots, photos and
// diagrams. The image is downscaled to fit a 128 px box first, so the cost
// per image is small and nearly independent of the input size.
//
// Not standardised: the encoder fits per-dimension mean and scale on its
// corpus. Pure function of the pixels: the same image always gives the same
// values, whatever else is in the batch. Thread-safe (no shared state).

#include <QImage>

namespace rs::detail {

// Number of floats written by computeImageDescriptor().
int imageDescriptorLength();

// Writes imageDescriptorLength() floats to out. Any QImage format is
// accepted (converted to RGB888 first). Returns false for a null image.
// May throw cv::Exception (std::exception) on a library failure.
bool computeImageDescriptor(const QImage &image, float *out);

} // namespace rs::detail
