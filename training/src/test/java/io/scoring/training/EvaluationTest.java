package io.scoring.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EvaluationTest
{
    @Test
    void shouldCountTiedScoresAsHalfInTheAuc()
    {
        assertEquals(1.0, Evaluation.auc(new float[]{0.9f, 0.1f}, new float[]{1, 0}));
        assertEquals(0.5, Evaluation.auc(new float[]{0.3f, 0.3f}, new float[]{1, 0}));
        // pairs (bad, good): (0.8, 0.5) 1, (0.8, 0.1) 1, (0.5, 0.5) 0.5, (0.5, 0.1) 1
        assertEquals(0.875, Evaluation.auc(new float[]{0.8f, 0.5f, 0.5f, 0.1f}, new float[]{1, 1, 0, 0}));
    }

    @Test
    void shouldChargeFiveForABadApplicantClassedGoodAndOneForTheReverseAtOneSixth()
    {
        // bad at 0.10 -> classed good (5); good at 0.17 -> classed bad (1); bad at 0.1667 -> bad; good at 0.16 -> good
        final Evaluation evaluation = Evaluation.of(new float[]{0.10f, 0.17f, 0.1667f, 0.16f}, new float[]{1, 0, 1, 0});

        assertEquals(1, evaluation.badClassedGood());
        assertEquals(1, evaluation.goodClassedBad());
        assertEquals(6, evaluation.cost());
        assertEquals(1.5, evaluation.costPerApplicant());
        assertEquals(0.5, evaluation.accuracy(), "at 0.5 both bad applicants are classed good");
    }
}
