package io.scoring.router;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The typed hooks the gateway hangs a version's meters and rollout windows on. */
class ModelVersionAttachmentTest
{
    private static final ModelVersion.AttachmentKey<StringBuilder> STATE =
        new ModelVersion.AttachmentKey<>("state", StringBuilder.class);
    private static final ModelVersion.AttachmentKey<Integer> OTHER =
        new ModelVersion.AttachmentKey<>("other", Integer.class);

    @Test
    void shouldGiveBackWhatWasAttachedUnderItsKeyAndNothingUnderAnother()
    {
        final ModelVersion version = TestModels.version("1");
        assertNull(version.attachment(STATE), "nothing attached yet");

        final StringBuilder state = new StringBuilder("meters");
        version.attach(STATE, state);

        assertSame(state, version.attachment(STATE));
        assertNull(version.attachment(OTHER));

        final ModelVersion another = TestModels.version("2");
        another.attach(OTHER, 7);
        assertNull(another.attachment(STATE), "a key made before the one attached finds nothing");
        assertEquals(7, another.attachment(OTHER));
    }

    @Test
    void shouldKeepEachOwnersAttachmentApartAndReplaceOnlyItsOwn()
    {
        final ModelVersion version = TestModels.version("1");
        final StringBuilder meters = new StringBuilder("meters");
        version.attach(STATE, meters);
        version.attach(OTHER, 1);
        version.attach(OTHER, 2);

        assertSame(meters, version.attachment(STATE), "the monitoring's attachment survives the rollout's");
        assertEquals(2, version.attachment(OTHER));
    }
}
