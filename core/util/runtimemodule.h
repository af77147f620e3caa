#pragma once
// Opening one of realsyn's own modules at run time: the shared objects that
// keep a heavy library out of every process that does not need it
// (realsyn_imagedecoder.so: OpenCV's codecs; realsyn_parquet.so: Thrift and
// OpenSSL). One rule for all of them: where the file is looked for
// (runtimepaths.h), the ABI check, and what the error says when it fails.

#include <QString>

class QLibrary;

namespace rs {

struct RuntimeModuleSpec {
    const char *what;             // for messages: "image decoder", "parquet"
    const char *overrideVariable; // environment variable naming the file, e.g. "REALSYN_PARQUET_MODULE"
    const char *fileName;         // e.g. "realsyn_parquet.so"
    const char *abiSymbol;        // an exported `int f()` returning the module's ABI number
    int abi;                      // the number this build expects
};

struct RuntimeModule {
    QLibrary *library = nullptr; // loaded and never unloaded; null when it failed
    QString unavailable;         // why `library` is null: every file tried, and what was wrong with it
};

// Loads the first candidate file that is a module of the expected ABI. Not
// cached: callers keep the result (a function-local static) so that a
// module is opened once per process.
RuntimeModule loadRuntimeModule(const RuntimeModuleSpec &spec);

// Empty when a candidate file exists (without loading it); otherwise the
// same message loadRuntimeModule would give. For a job to refuse to start
// instead of failing half way.
QString runtimeModuleMissing(const RuntimeModuleSpec &spec);

} // namespace rs
