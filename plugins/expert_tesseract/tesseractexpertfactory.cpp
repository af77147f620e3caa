#include "plugins/expert_tesseract/tesseractexpertfactory.h"

#include "plugins/expert_tesseract/tesseractexpert.h"

#include <QDir>

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

namespace rs {

QString TesseractExpertFactory::version() const
{
    QMutexLocker lock(&m_mutex);
    // Bump the trailing number when the tiling, merging, filtering or
    // preprocessing changes (2: dark images inverted before recognition).
    return QStringLiteral("tesseract %1; %2; layout 2")
        .arg(QString::fromLatin1(tesseract::TessBaseAPI::Version()), m_settings.signature());
}

Status TesseractExpertFactory::initialize(const QVariantMap &options)
{
    auto settings = OcrSettings::fromOptions(options);
    if (!settings)
        return settings.error();

    // Leptonica reports harmless clipping of boxes at tile edges on stderr
    // ("Error in boxClipToRectangle"); Tesseract's own failures still reach us
    // through return codes.
    setMsgSeverity(L_SEVERITY_NONE);

    // Loading once here turns a corrupt or wrong-version traineddata file
    // into an error now instead of one per image later.
    tesseract::TessBaseAPI probe;
    const QByteArray dir = settings->tessdataDir.toUtf8();
    const QByteArray lang = settings->language.toUtf8();
    if (probe.Init(dir.constData(), lang.constData(), tesseract::OEM_LSTM_ONLY) != 0)
        return makeError(ErrorCode::IoError,
                         QStringLiteral("Tesseract could not load %1 (corrupt or from another Tesseract version?)")
                             .arg(QDir(settings->tessdataDir).filePath(settings->language + QStringLiteral(".traineddata"))),
                         QStringLiteral("tessdata"));
    probe.End();

    QMutexLocker lock(&m_mutex);
    m_settings = *settings;
    m_ready = true;
    return {};
}

std::unique_ptr<IExpert> TesseractExpertFactory::create()
{
    QMutexLocker lock(&m_mutex);
    if (!m_ready)
        return nullptr;
    return std::make_unique<TesseractExpert>(m_settings);
}

} // namespace rs
