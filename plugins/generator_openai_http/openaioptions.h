#pragma once
// Settings of the OpenAI-compatible HTTP backend, parsed from the recipe's
// option map. The API key is deliberately not a setting: only the NAME of the
// environment variable that holds it is (api_key_env), and the key is read
// from the environment when a batch is sent.
//
// Keys (all optional except endpoint and model):
//   endpoint        base URL up to and including the API version, e.g.
//                   "http://127.0.0.1:8000/v1"; requests go to {endpoint}/chat/completions
//   model           model name the server serves (vLLM: the served name; Ollama: "llava:7b")
//   concurrency     requests in flight per batch, 1..64 (default 4)
//   timeout_ms      per attempt, from sending to the last byte (default 120000)
//   retries         extra attempts after 429, 5xx or a dropped connection, 0..10 (default 3)
//   backoff_ms      first retry delay; doubles per attempt with +-25% jitter (default 500)
//   max_backoff_ms  cap of one delay, Retry-After included (default 60000)
//   api_key_env     environment variable holding the key (default OPENAI_API_KEY; unset = no
//                   Authorization header, as local servers need none)
//   max_tokens      completion limit (default 256)
//   temperature     0..2 (default 0.2)
//   max_image_side  images are downscaled to this longest side before JPEG encoding (default 768)
//   jpeg_quality    1..100 (default 85)
//   send_image      generator only: also send the image (for VLM servers; default false)
// Unknown keys are ignored (the recipe may pass its whole generate.* group);
// a key that looks like a secret (api_key, key, token, authorization) is an
// error, so that nobody is tempted to put the key into a recipe.

#include "core/util/result.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <QVariantMap>

namespace rs {

struct OpenAiOptions {
    QUrl endpoint;
    QString model;
    int concurrency = 4;
    int timeoutMs = 120000;
    int retries = 3;
    int backoffMs = 500;
    int maxBackoffMs = 60000;
    QString apiKeyEnv = QStringLiteral("OPENAI_API_KEY");
    int maxTokens = 256;
    double temperature = 0.2;
    int maxImageSide = 768;
    int jpegQuality = 85;
    bool sendImage = false;

    // InvalidArgument (context = the option key) for a missing endpoint or
    // model, a non-http(s) endpoint, out-of-range numbers or a secret key.
    static Result<OpenAiOptions> fromMap(const QVariantMap &map);

    QUrl chatCompletionsUrl() const;
    // The endpoint as recorded in provenance: user info (user:password@) removed.
    QString endpointForRecord() const;
};

} // namespace rs
