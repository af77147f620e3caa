#pragma once
// The settings every part of the pipeline shares, typed (see
// core/store/settingfields.h): `threads` and `seed`.

#include "core/store/settingfields.h"
#include "core/util/jobcontext.h"

#include <QThread>

namespace rs {

struct GlobalSettings {
    int threads = 0;   // worker threads; 0 = all hardware threads. Pipeline::runStage passes it in the JobContext.
    quint64 seed = 0;  // every random choice; part of every stage's fingerprint

    template <class F>
    void fields(F &&f)
    {
        f(threads, "threads", SettingUse::NotLive);
        f(seed, "seed", SettingUse::NotLive);
    }
    static GlobalSettings fromRecipe(const Recipe &recipe)
    {
        GlobalSettings s;
        readSettings(recipe, s);
        return s;
    }
};

// The size of a stage's worker pool: the context's thread count (set from
// GlobalSettings::threads by Pipeline::runStage), or every hardware thread
// when it is 0.
inline int workerThreads(const JobContext &ctx)
{
    return ctx.threads() > 0 ? ctx.threads() : QThread::idealThreadCount();
}

} // namespace rs
