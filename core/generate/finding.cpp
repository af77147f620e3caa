#include "core/generate/finding.h"

#include <QJsonArray>

namespace rs {

QJsonObject Finding::toJson() const
{
    QJsonObject o{{QStringLiteral("kind"), kind}, {QStringLiteral("confidence"), confidence}};
    if (!level.isEmpty())
        o.insert(QStringLiteral("level"), level);
    if (!box.isEmpty())
        o.insert(QStringLiteral("box"), QJsonArray{box.x(), box.y(), box.width(), box.height()});
    // `show --json` spells OCR/quality evidence as text and tags/faces as label.
    o.insert(kind == QLatin1String("tag") || kind == QLatin1String("face") ? QStringLiteral("label") : QStringLiteral("text"), text);
    if (value != 0)
        o.insert(QStringLiteral("value"), value);
    return o;
}

Finding Finding::fromJson(const QJsonObject &o)
{
    Finding f;
    f.kind = o.value(QStringLiteral("kind")).toString();
    f.level = o.value(QStringLiteral("level")).toString();
    const QJsonArray b = o.value(QStringLiteral("box")).toArray();
    if (b.size() == 4)
        f.box = QRectF(b[0].toDouble(), b[1].toDouble(), b[2].toDouble(), b[3].toDouble());
    f.text = o.contains(QStringLiteral("label")) ? o.value(QStringLiteral("label")).toString() : o.value(QStringLiteral("text")).toString();
    f.confidence = o.value(QStringLiteral("confidence")).toDouble();
    f.value = o.value(QStringLiteral("value")).toDouble();
    return f;
}

} // namespace rs
