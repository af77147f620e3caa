// The pipeline with every stage, in a file of its own: linking it links all
// six stages and, through them, FAISS, OpenCV, OpenBLAS and Qt Gui. A program
// that runs only the first stages builds Pipeline(stages) instead.
#include "core/pipeline/pipeline.h"

#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/generate/generatestage.h"
#include "core/generate/groundstage.h"
#include "core/index/retrievestage.h"
#include "core/sample/samplestage.h"

namespace rs {

namespace {

std::vector<std::unique_ptr<IStage>> allStages()
{
    std::vector<std::unique_ptr<IStage>> stages;
    stages.push_back(std::make_unique<ExtractStage>());
    stages.push_back(std::make_unique<GroundStage>());
    stages.push_back(std::make_unique<EmbedStage>());
    stages.push_back(std::make_unique<RetrieveStage>());
    stages.push_back(std::make_unique<GenerateStage>());
    stages.push_back(std::make_unique<SampleStage>());
    return stages;
}

} // namespace

Pipeline::Pipeline() : Pipeline(allStages()) {}

} // namespace rs
