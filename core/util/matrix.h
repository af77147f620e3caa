#pragma once
// A dense row-major float32 matrix: the currency between encoders, the
// embedding store and the index (FAISS reads the same layout directly).
// Row i of an embedding matrix is the vector of item i of a batch.

#include <QtGlobal>

#include <cmath>
#include <vector>

namespace rs {

struct Matrix {
    qint64 rows = 0;
    int cols = 0;
    std::vector<float> data; // rows * cols values, row-major

    Matrix() = default;
    Matrix(qint64 r, int c) : rows(r), cols(c), data(size_t(r) * size_t(c), 0.0f) {}

    float *row(qint64 i) { return data.data() + i * cols; }
    const float *row(qint64 i) const { return data.data() + i * cols; }
    bool empty() const { return rows == 0; }

    // Scales every row to unit L2 norm (zero rows stay zero).
    void normalizeRows()
    {
        for (qint64 i = 0; i < rows; ++i) {
            float *r = row(i);
            double s = 0;
            for (int j = 0; j < cols; ++j)
                s += double(r[j]) * r[j];
            if (s > 0) {
                const float inv = float(1.0 / std::sqrt(s));
                for (int j = 0; j < cols; ++j)
                    r[j] *= inv;
            }
        }
    }
};

} // namespace rs
