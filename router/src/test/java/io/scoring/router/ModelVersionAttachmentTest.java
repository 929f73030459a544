package io.scoring.router;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed hook the gateway hangs a version's meters on. */
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
    }

    @Test
    void shouldRefuseASecondOwnerNamingBoth()
    {
        final ModelVersion version = TestModels.version("1");
        version.attach(STATE, new StringBuilder());

        final IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> version.attach(OTHER, 1));

        assertTrue(refused.getMessage().contains("state") && refused.getMessage().contains("other"), refused.getMessage());
    }
}
