#include "plugins/expert_tesseract/ocrsettings.h"

#include <QDir>
#include <QFileInfo>

namespace rs {

namespace {

Result<double> numberOption(const QVariantMap &options, const QString &key, double fallback, double lo, double hi)
{
    if (!options.contains(key))
        return fallback;
    bool ok = false;
    const double v = options.value(key).toDouble(&ok);
    if (!ok || v < lo || v > hi)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("expected a number from %1 to %2, got \"%3\"")
                             .arg(lo).arg(hi).arg(options.value(key).toString()),
                         key);
    return v;
}

} // namespace

QStringList OcrSettings::tessdataCandidates(const QString &explicitDir)
{
    if (!explicitDir.isEmpty())
        return {explicitDir};
    QStringList dirs;
    const QString prefix = qEnvironmentVariable("TESSDATA_PREFIX");
    if (!prefix.isEmpty()) {
        // Tesseract 5 wants the tessdata folder itself; 3.x/4.x users often
        // still point at its parent.
        dirs << prefix << QDir(prefix).filePath(QStringLiteral("tessdata"));
    }
    dirs << QStringLiteral("/usr/share/tesseract-ocr/5/tessdata") << QStringLiteral("/usr/share/tesseract-ocr/4.00/tessdata");
    return dirs;
}

Result<OcrSettings> OcrSettings::fromOptions(const QVariantMap &options)
{
    OcrSettings s;
    const QString mode = options.value(QStringLiteral("mode"), QStringLiteral("auto")).toString();
    if (mode == QLatin1String("auto"))
        s.mode = Mode::Auto;
    else if (mode == QLatin1String("on"))
        s.mode = Mode::On;
    else
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("unknown OCR mode \"%1\" (expected auto or on)").arg(mode), QStringLiteral("mode"));

    auto minConf = numberOption(options, QStringLiteral("min_confidence"), s.minConfidence, 0, 1);
    if (!minConf)
        return minConf.error();
    s.minConfidence = *minConf;

    const QVariant scale = options.value(QStringLiteral("scale"));
    if (scale.isValid() && scale.toString() != QLatin1String("auto")) {
        auto v = numberOption(options, QStringLiteral("scale"), 0, 1, 4);
        if (!v)
            return v.error();
        s.scale = *v;
    }

    auto tile = numberOption(options, QStringLiteral("tile_size"), s.tileSize, 256, 8192);
    if (!tile)
        return tile.error();
    s.tileSize = int(*tile);
    auto minSide = numberOption(options, QStringLiteral("min_side"), s.minSide, 1, 100000);
    if (!minSide)
        return minSide.error();
    s.minSide = int(*minSide);

    s.language = options.value(QStringLiteral("language"), s.language).toString();
    if (s.language.isEmpty() || s.language.contains(QLatin1Char('/')))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid language \"%1\"").arg(s.language),
                         QStringLiteral("language"));

    const QString file = s.language + QStringLiteral(".traineddata");
    const QStringList dirs = tessdataCandidates(options.value(QStringLiteral("tessdata")).toString());
    for (const QString &dir : dirs) {
        if (QFileInfo(QDir(dir).filePath(file)).isFile()) {
            s.tessdataDir = QDir(dir).absolutePath();
            return s;
        }
    }
    return makeError(ErrorCode::NotFound,
                     QStringLiteral("Tesseract language data %1 not found in %2; install tesseract-ocr-%3 "
                                    "or set TESSDATA_PREFIX")
                         .arg(file, dirs.join(QStringLiteral(", ")), s.language),
                     QStringLiteral("tessdata"));
}

QString OcrSettings::signature() const
{
    return QStringLiteral("lang=%1 mode=%2 min_conf=%3 scale=%4 tile=%5 min_side=%6")
        .arg(language, mode == Mode::Auto ? QStringLiteral("auto") : QStringLiteral("on"))
        .arg(minConfidence)
        .arg(scale > 0 ? QString::number(scale) : QStringLiteral("auto"))
        .arg(tileSize)
        .arg(minSide);
}

} // namespace rs
