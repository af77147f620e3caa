#include "plugins/expert_opencv/faceexpertfactory.h"

#include <opencv2/core/version.hpp>
#include <opencv2/objdetect.hpp>

namespace rs {

QString FaceExpertFactory::version() const
{
    QMutexLocker lock(&m_mutex);
    return QStringLiteral("opencv %1; %2; v1").arg(QStringLiteral(CV_VERSION), m_settings.signature());
}

Status FaceExpertFactory::initialize(const QVariantMap &options)
{
    auto settings = FaceSettings::fromOptions(options);
    if (!settings)
        return settings.error();
    try {
        cv::CascadeClassifier probe;
        if (!probe.load(settings->cascadePath.toStdString()) || probe.empty())
            return makeError(ErrorCode::ParseError, QStringLiteral("not a usable OpenCV cascade file"), settings->cascadePath);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError, QStringLiteral("could not read the cascade: %1").arg(QString::fromUtf8(e.what())),
                         settings->cascadePath);
    }
    QMutexLocker lock(&m_mutex);
    m_settings = *settings;
    m_ready = true;
    return {};
}

std::unique_ptr<IExpert> FaceExpertFactory::create()
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return nullptr;
    return std::make_unique<FaceExpert>(m_settings);
}

} // namespace rs
