#pragma once
// Frontal face detection with an OpenCV Haar cascade (opencv-data).
//
// Findings: kind "face", text "face", box in whole-image pixels, confidence
// = 1 - exp(-n / 10) where n is the number of raw detections the cascade
// merged into the box (n >= min_neighbors; n = 5 -> 0.39, 10 -> 0.63,
// 20 -> 0.86, 30 -> 0.95): a fixed, monotone mapping, not a probability.
// One instance per thread: each owns its CascadeClassifier (OpenCV does not
// promise concurrent detectMultiScale on one object is safe), loaded lazily.

#include "core/generate/iexpert.h"

#include <QString>
#include <QVariantMap>

#include <memory>

namespace rs {

struct FaceSettings {
    QString cascadePath = QStringLiteral("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml");
    double scaleFactor = 1.1; // "scale_factor", 1.01..2
    int minNeighbors = 5;     // "min_neighbors", 1..100
    // "min_size": smallest face side, pixels of the analysed image. 32, not
    // the cascade's 24: the three smallest scales cost 40% of detection,
    // and a face under 32 px in a manual or web image says nothing a
    // caption should repeat (none on the demo's first 300 images was real).
    int minSize = 32;
    int maxSide = 1280;       // "max_side": larger images are detected on a downscale

    static Result<FaceSettings> fromOptions(const QVariantMap &options);
    QString signature() const;
};

class FaceExpert final : public IExpert {
public:
    explicit FaceExpert(FaceSettings settings);
    ~FaceExpert() override;
    Result<Findings> analyze(const QImage &image, const QRect &region = {}) override;

private:
    struct Private;
    FaceSettings m_settings;
    std::unique_ptr<Private> d;
};

} // namespace rs
