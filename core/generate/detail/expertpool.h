#pragma once
// Private to core/generate: a pool of expert instances for worker threads.
// Expert instances are not thread-safe (Tesseract): each worker borrows one
// and gives it back, and the factory creates more when all are out.

#include "core/generate/iexpert.h"

#include <QMutex>

#include <memory>
#include <vector>

namespace rs::detail {

class ExpertPool {
public:
    explicit ExpertPool(std::shared_ptr<IExpertFactory> factory) : m_factory(std::move(factory)) {}
    std::unique_ptr<IExpert> acquire()
    {
        QMutexLocker lock(&m_mutex);
        if (!m_free.empty()) {
            auto e = std::move(m_free.back());
            m_free.pop_back();
            return e;
        }
        lock.unlock();
        return m_factory->create();
    }
    void release(std::unique_ptr<IExpert> e)
    {
        QMutexLocker lock(&m_mutex);
        m_free.push_back(std::move(e));
    }
    IExpertFactory &factory() { return *m_factory; }

private:
    std::shared_ptr<IExpertFactory> m_factory;
    QMutex m_mutex;
    std::vector<std::unique_ptr<IExpert>> m_free;
};

} // namespace rs::detail
