#include "plugins/expert_opencv/qualityexpertfactory.h"

#include <opencv2/core/version.hpp>

namespace rs {

QString QualityExpertFactory::version() const
{
    QMutexLocker lock(&m_mutex);
    return QStringLiteral("opencv %1; %2; v1").arg(QStringLiteral(CV_VERSION), m_settings.signature());
}

Status QualityExpertFactory::initialize(const QVariantMap &options)
{
    auto settings = QualitySettings::fromOptions(options);
    if (!settings)
        return settings.error();
    auto model = loadBrisqueModel(*settings);
    if (!model)
        return model.error();
    QMutexLocker lock(&m_mutex);
    m_settings = *settings;
    m_model = *model;
    return {};
}

std::unique_ptr<IExpert> QualityExpertFactory::create()
{
    QMutexLocker lock(&m_mutex);
    if (!m_model)
        return nullptr;
    return std::make_unique<QualityExpert>(m_settings, m_model);
}

} // namespace rs
