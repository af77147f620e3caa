#include "plugins/expert_opencv/faceexpert.h"

#include "plugins/expert_opencv/cvimage.h"

#include <QFileInfo>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <cmath>

namespace rs {

struct FaceExpert::Private {
    cv::CascadeClassifier cascade;
    bool loaded = false;
};

Result<FaceSettings> FaceSettings::fromOptions(const QVariantMap &options)
{
    FaceSettings s;
    s.cascadePath = options.value(QStringLiteral("cascade"), s.cascadePath).toString();
    auto number = [&](const char *key, double fallback, double lo, double hi) -> Result<double> {
        const QString k = QString::fromLatin1(key);
        if (!options.contains(k))
            return fallback;
        bool ok = false;
        const double v = options.value(k).toDouble(&ok);
        if (!ok || v < lo || v > hi)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected a number from %1 to %2").arg(lo).arg(hi), k);
        return v;
    };
    auto sf = number("scale_factor", s.scaleFactor, 1.01, 2);
    auto mn = number("min_neighbors", s.minNeighbors, 1, 100);
    auto ms = number("min_size", s.minSize, 8, 10000);
    auto mx = number("max_side", s.maxSide, 64, 100000);
    for (const auto *r : {&sf, &mn, &ms, &mx}) {
        if (!*r)
            return r->error();
    }
    s.scaleFactor = *sf;
    s.minNeighbors = int(*mn);
    s.minSize = int(*ms);
    s.maxSide = int(*mx);
    if (!QFileInfo(s.cascadePath).isFile())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("face cascade %1 not found; install opencv-data or set the cascade option")
                             .arg(s.cascadePath),
                         QStringLiteral("cascade"));
    return s;
}

QString FaceSettings::signature() const
{
    return QStringLiteral("%1 scale_factor=%2 min_neighbors=%3 min_size=%4 max_side=%5")
        .arg(QFileInfo(cascadePath).fileName())
        .arg(scaleFactor)
        .arg(minNeighbors)
        .arg(minSize)
        .arg(maxSide);
}

FaceExpert::FaceExpert(FaceSettings settings) : m_settings(std::move(settings)), d(std::make_unique<Private>()) {}

FaceExpert::~FaceExpert() = default;

Result<Findings> FaceExpert::analyze(const QImage &image, const QRect &region)
{
    if (image.isNull())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("null image (not decoded?)"));
    const QRect area = region.isNull() ? image.rect() : region.intersected(image.rect());
    if (area.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("region lies outside the %1x%2 image")
                                                         .arg(image.width()).arg(image.height()));
    if (area.width() < m_settings.minSize || area.height() < m_settings.minSize)
        return Findings{};
    try {
        if (!d->loaded) {
            if (!d->cascade.load(m_settings.cascadePath.toStdString()))
                return makeError(ErrorCode::IoError, QStringLiteral("could not load face cascade"), m_settings.cascadePath);
            d->loaded = true;
        }
        cv::Mat gray = toGrayMat(image, area);
        if (gray.empty())
            return makeError(ErrorCode::Internal, QStringLiteral("could not convert the image to grey (out of memory?)"));
        // Detecting on a downscale keeps large photos cheap; faces smaller
        // than min_size after the downscale are missed by design.
        const double f = std::min(1.0, double(m_settings.maxSide) / std::max(gray.cols, gray.rows));
        if (f < 1.0)
            cv::resize(gray, gray, cv::Size(), f, f, cv::INTER_AREA);
        cv::equalizeHist(gray, gray);
        const int minSide = std::max(8, int(std::lround(m_settings.minSize * f)));

        std::vector<cv::Rect> faces;
        std::vector<int> neighbours;
        d->cascade.detectMultiScale(gray, faces, neighbours, m_settings.scaleFactor, m_settings.minNeighbors, 0,
                                    cv::Size(minSide, minSide));
        Findings out;
        for (size_t i = 0; i < faces.size(); ++i) {
            const cv::Rect &r = faces[i];
            Finding face;
            face.kind = QStringLiteral("face");
            face.text = QStringLiteral("face");
            face.box = QRectF(area.x() + r.x / f, area.y() + r.y / f, r.width / f, r.height / f);
            const int n = i < neighbours.size() ? neighbours[i] : m_settings.minNeighbors;
            face.confidence = 1.0 - std::exp(-n / 10.0);
            face.value = n;
            out.push_back(face);
        }
        std::sort(out.begin(), out.end(), [](const Finding &a, const Finding &b) { return a.confidence > b.confidence; });
        return out;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QStringLiteral("face detection failed: %1").arg(QString::fromUtf8(e.what())));
    }
}

} // namespace rs
