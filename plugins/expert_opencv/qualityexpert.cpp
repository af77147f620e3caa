#include "plugins/expert_opencv/qualityexpert.h"

#include "plugins/expert_opencv/cvimage.h"

#include <QFileInfo>

#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>
#include <opencv2/quality/qualitybrisque.hpp>

#include <cmath>

namespace rs {

struct BrisqueModel {
    cv::Ptr<cv::ml::SVM> svm;
    cv::Mat range;
};

Result<QualitySettings> QualitySettings::fromOptions(const QVariantMap &options)
{
    QualitySettings s;
    s.modelPath = options.value(QStringLiteral("model"), s.modelPath).toString();
    s.rangePath = options.value(QStringLiteral("range"), s.rangePath).toString();
    if (options.contains(QStringLiteral("max_side"))) {
        bool ok = false;
        const int v = options.value(QStringLiteral("max_side")).toInt(&ok);
        if (!ok || v < kMinSide)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected an integer >= %1").arg(kMinSide),
                             QStringLiteral("max_side"));
        s.maxSide = v;
    }
    for (const auto &[path, key] : {std::pair{s.modelPath, QStringLiteral("model")}, std::pair{s.rangePath, QStringLiteral("range")}}) {
        if (!QFileInfo(path).isFile())
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("BRISQUE %1 file %2 not found; install opencv-data or set the %1 option").arg(key, path),
                             key);
    }
    return s;
}

QString QualitySettings::signature() const
{
    return QStringLiteral("brisque %1 max_side=%2 cutoffs=%3/%4")
        .arg(QFileInfo(modelPath).fileName())
        .arg(maxSide)
        .arg(kGoodBelow)
        .arg(kPoorAbove);
}

Result<std::shared_ptr<const BrisqueModel>> loadBrisqueModel(const QualitySettings &settings)
{
    try {
        auto model = std::make_shared<BrisqueModel>();
        model->svm = cv::ml::SVM::load(settings.modelPath.toStdString());
        if (!model->svm || !model->svm->isTrained() || model->svm->getVarCount() != 36)
            return makeError(ErrorCode::ParseError, QStringLiteral("not a trained 36-feature BRISQUE SVM model"), settings.modelPath);
        cv::FileStorage fs(settings.rangePath.toStdString(), cv::FileStorage::READ);
        if (fs.isOpened())
            fs["range"] >> model->range;
        if (model->range.rows != 2 || model->range.cols != 36)
            return makeError(ErrorCode::ParseError, QStringLiteral("not a BRISQUE range file (expected a 2x36 \"range\" matrix)"),
                             settings.rangePath);
        return std::shared_ptr<const BrisqueModel>(std::move(model));
    } catch (const std::exception &e) {
        // cv::FileStorage and SVM::load throw cv::Exception on malformed YAML.
        return makeError(ErrorCode::ParseError, QStringLiteral("could not read the BRISQUE model: %1").arg(QString::fromUtf8(e.what())),
                         settings.modelPath);
    }
}

QualityExpert::QualityExpert(QualitySettings settings, std::shared_ptr<const BrisqueModel> model)
    : m_settings(std::move(settings)), m_model(std::move(model))
{
}

QualityExpert::~QualityExpert() = default;

QString QualityExpert::verdict(double score)
{
    if (score < QualitySettings::kGoodBelow)
        return QStringLiteral("good");
    if (score <= QualitySettings::kPoorAbove)
        return QStringLiteral("fair");
    return QStringLiteral("poor");
}

Result<Findings> QualityExpert::analyze(const QImage &image, const QRect &region)
{
    if (image.isNull())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("null image (not decoded?)"));
    if (!m_model)
        return makeError(ErrorCode::Internal, QStringLiteral("BRISQUE model not loaded"));
    const QRect area = region.isNull() ? image.rect() : region.intersected(image.rect());
    if (area.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("region lies outside the %1x%2 image")
                                                         .arg(image.width()).arg(image.height()));
    if (area.width() < QualitySettings::kMinSide || area.height() < QualitySettings::kMinSide)
        return Findings{};
    try {
        cv::Mat gray = toGrayMat(image, area);
        if (gray.empty())
            return makeError(ErrorCode::Internal, QStringLiteral("could not convert the image to grey (out of memory?)"));
        const int longer = std::max(gray.cols, gray.rows);
        if (longer > m_settings.maxSide) {
            const double f = double(m_settings.maxSide) / longer;
            cv::resize(gray, gray, cv::Size(), f, f, cv::INTER_AREA);
        }
        // The shared SVM is only read (predict is const); the BRISQUE object
        // itself is cheap and made per call.
        auto brisque = cv::quality::QualityBRISQUE::create(m_model->svm, m_model->range);
        const double score = brisque->compute(gray)[0];
        if (!std::isfinite(score))
            return Findings{}; // flat images have no statistics to score
        Finding f;
        f.kind = QStringLiteral("quality");
        f.text = verdict(score);
        f.value = score;
        f.confidence = std::clamp(1.0 - score / 100.0, 0.0, 1.0);
        return Findings{f};
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("BRISQUE failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace rs
