#include "plugins/expert_tesseract/tesseractplugin.h"

#include "plugins/expert_tesseract/tesseractexpertfactory.h"

namespace rs {

QList<std::shared_ptr<IExpertFactory>> TesseractPlugin::factories()
{
    return {std::make_shared<TesseractExpertFactory>()};
}

} // namespace rs
