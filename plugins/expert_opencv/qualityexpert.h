#pragma once
// No-reference image quality with OpenCV's BRISQUE (contrib quality module,
// LIVE model files from opencv-data).
//
// One whole-image finding: kind "quality", empty box, value = BRISQUE score
// (about 0..100, lower is better), text "good" (score < 35), "fair"
// (35..55) or "poor" (> 55), confidence = clamp(1 - score / 100, 0, 1).
// The cut-offs follow the usual reading of LIVE-trained BRISQUE (pristine
// photos score ~10-35, visibly blurred/noisy/compressed ones > 55) and were
// checked on GIMP's example photos and blurred+noised copies (RESULTS.md).
// Images whose longer side exceeds max_side (default 1024) are scored on an
// area downscale: BRISQUE's cost is linear in pixels, and the score of a
// downscale is what a thumbnail-sized training image sees anyway. Images
// smaller than 32 px on a side give no finding (too few statistics).
// The SVM model is loaded once by the factory and shared (prediction is const).

#include "core/generate/iexpert.h"

#include <QString>
#include <QVariantMap>

#include <memory>

namespace rs {

struct QualitySettings {
    QString modelPath = QStringLiteral("/usr/share/opencv4/quality/brisque_model_live.yml"); // "model"
    QString rangePath = QStringLiteral("/usr/share/opencv4/quality/brisque_range_live.yml"); // "range"
    int maxSide = 1024; // "max_side"

    static Result<QualitySettings> fromOptions(const QVariantMap &options);
    QString signature() const;

    static constexpr double kGoodBelow = 35;
    static constexpr double kPoorAbove = 55;
    static constexpr int kMinSide = 32;
};

// Loaded BRISQUE model (opaque outside the .cpp).
struct BrisqueModel;

// Loads and checks the model and range files.
Result<std::shared_ptr<const BrisqueModel>> loadBrisqueModel(const QualitySettings &settings);

class QualityExpert final : public IExpert {
public:
    QualityExpert(QualitySettings settings, std::shared_ptr<const BrisqueModel> model);
    ~QualityExpert() override;
    Result<Findings> analyze(const QImage &image, const QRect &region = {}) override;

    // Verdict for a BRISQUE score: "good", "fair" or "poor".
    static QString verdict(double score);

private:
    QualitySettings m_settings;
    std::shared_ptr<const BrisqueModel> m_model;
};

} // namespace rs
