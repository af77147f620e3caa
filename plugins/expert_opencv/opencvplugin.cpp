#include "plugins/expert_opencv/opencvplugin.h"

#include "plugins/expert_opencv/faceexpertfactory.h"
#include "plugins/expert_opencv/qualityexpertfactory.h"

namespace rs {

QList<std::shared_ptr<IExpertFactory>> OpenCvPlugin::factories()
{
    return {std::make_shared<FaceExpertFactory>(), std::make_shared<QualityExpertFactory>()};
}

} // namespace rs
