#include "plugins/generator_openai_http/openaioptions.h"

#include <algorithm>
#include <tuple>

namespace rs {

namespace {

Status readInt(const QVariantMap &map, const char *key, int lo, int hi, int &out)
{
    const QString k = QString::fromLatin1(key);
    if (!map.contains(k))
        return {};
    bool ok = false;
    const int v = map.value(k).toInt(&ok);
    if (!ok || v < lo || v > hi)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("expected an integer in %1..%2, got '%3'").arg(lo).arg(hi).arg(map.value(k).toString()), k);
    out = v;
    return {};
}

} // namespace

Result<OpenAiOptions> OpenAiOptions::fromMap(const QVariantMap &map)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString k = it.key().toLower();
        if (k == QLatin1String("api_key") || k == QLatin1String("apikey") || k == QLatin1String("key")
            || k == QLatin1String("token") || k == QLatin1String("authorization"))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the API key is never an option; put it in the environment variable named by api_key_env"),
                             it.key());
    }

    OpenAiOptions o;
    const QString endpoint = map.value(QStringLiteral("endpoint")).toString().trimmed();
    if (endpoint.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no endpoint given (e.g. http://127.0.0.1:8000/v1)"),
                         QStringLiteral("endpoint"));
    o.endpoint = QUrl(endpoint, QUrl::StrictMode);
    if (!o.endpoint.isValid() || o.endpoint.host().isEmpty()
        || (o.endpoint.scheme() != QLatin1String("http") && o.endpoint.scheme() != QLatin1String("https")))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not an http(s) URL: '%1'").arg(endpoint),
                         QStringLiteral("endpoint"));

    o.model = map.value(QStringLiteral("model")).toString().trimmed();
    if (o.model.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no model name given (the name the server serves)"),
                         QStringLiteral("model"));

    for (const auto &[key, lo, hi, target] : {std::tuple{"concurrency", 1, 64, &o.concurrency},
                                              std::tuple{"timeout_ms", 1, 3600 * 1000, &o.timeoutMs},
                                              std::tuple{"retries", 0, 10, &o.retries},
                                              std::tuple{"backoff_ms", 0, 600 * 1000, &o.backoffMs},
                                              std::tuple{"max_backoff_ms", 0, 3600 * 1000, &o.maxBackoffMs},
                                              std::tuple{"max_tokens", 1, 1 << 20, &o.maxTokens},
                                              std::tuple{"max_image_side", 16, 8192, &o.maxImageSide},
                                              std::tuple{"jpeg_quality", 1, 100, &o.jpegQuality}}) {
        if (Status s = readInt(map, key, lo, hi, *target); !s)
            return s.error();
    }

    if (map.contains(QStringLiteral("temperature"))) {
        bool ok = false;
        o.temperature = map.value(QStringLiteral("temperature")).toDouble(&ok);
        if (!ok || o.temperature < 0 || o.temperature > 2)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("expected a number in 0..2"), QStringLiteral("temperature"));
    }
    if (map.contains(QStringLiteral("api_key_env"))) {
        o.apiKeyEnv = map.value(QStringLiteral("api_key_env")).toString().trimmed();
        // An environment variable name, not a key: letters, digits, underscore.
        static const auto isNameChar = [](QChar c) { return c.isLetterOrNumber() || c == QLatin1Char('_'); };
        if (!std::all_of(o.apiKeyEnv.begin(), o.apiKeyEnv.end(), isNameChar))
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("not an environment variable name"),
                             QStringLiteral("api_key_env"));
    }
    if (map.contains(QStringLiteral("send_image")))
        o.sendImage = map.value(QStringLiteral("send_image")).toBool();
    return o;
}

QUrl OpenAiOptions::chatCompletionsUrl() const
{
    QUrl url = endpoint;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/chat/completions"));
    return url;
}

QString OpenAiOptions::endpointForRecord() const
{
    return endpoint.toString(QUrl::RemoveUserInfo);
}

} // namespace rs
