package xlstm.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Flags}: an absent flag gives the default, a good one its value, a bad one a one-line {@link Flags.BadFlag}. */
class FlagsTest {
    private static final String NAME = "xlstm.test.flag";

    /** Runs {@code body} with the flag set to {@code value} (null: absent), then clears it. */
    private static void with(String value, Executable body) throws Throwable {
        String old = System.getProperty(NAME);
        try {
            if (value == null) System.clearProperty(NAME);
            else System.setProperty(NAME, value);
            body.execute();
        } finally {
            if (old == null) System.clearProperty(NAME);
            else System.setProperty(NAME, old);
        }
    }

    private static void bad(String value, String message, Executable read) throws Throwable {
        with(value, () -> assertEquals(message, assertThrows(Flags.BadFlag.class, read).getMessage()));
    }

    @Test
    void anAbsentFlagGivesTheDefault() throws Throwable {
        with(null, () -> {
            assertEquals(64, Flags.intFlag(NAME, 64, 1));
            assertEquals(0, Flags.intFlag(NAME, 0, 0, 1024));
            assertTrue(Flags.boolFlag(NAME, true));
            assertFalse(Flags.boolFlag(NAME, false));
            assertEquals("own", Flags.choice(NAME, "own", "own", "cublas"));
        });
    }

    @Test
    void goodValuesAreRead() throws Throwable {
        with("128", () -> assertEquals(128, Flags.intFlag(NAME, 64, 1)));
        with(" 1 ", () -> assertEquals(1, Flags.intFlag(NAME, 64, 1)));
        with("0", () -> assertEquals(0, Flags.intFlag(NAME, 200, 0)));
        with("1024", () -> assertEquals(1024, Flags.intFlag(NAME, 256, 1, 1024)));
        with("false", () -> assertFalse(Flags.boolFlag(NAME, true)));
        with("TRUE", () -> assertTrue(Flags.boolFlag(NAME, false)));
        with(" False\n", () -> assertFalse(Flags.boolFlag(NAME, true)));
        with("cuBLAS", () -> assertEquals("cublas", Flags.choice(NAME, "own", "own", "cublas")));
        with("4", () -> assertEquals("4", Flags.choice(NAME, "2", "1", "2", "4")));
    }

    @Test
    void aRenamedFlagIsRefusedWhenSet() throws Throwable {
        with(null, () -> Flags.renamed(NAME, "xlstm.test.other"));
        bad("false", "-Dxlstm.test.flag=false: renamed, use -Dxlstm.test.other", () -> Flags.renamed(NAME, "xlstm.test.other"));
    }

    @Test
    void aNonNumberIsRefused() throws Throwable {
        bad("abc", "-Dxlstm.test.flag=abc: a whole number, 1 or more", () -> Flags.intFlag(NAME, 64, 1));
        bad("", "-Dxlstm.test.flag=: a whole number, 1 or more", () -> Flags.intFlag(NAME, 64, 1));
        bad("2.5", "-Dxlstm.test.flag=2.5: a whole number from 1 to 1024", () -> Flags.intFlag(NAME, 256, 1, 1024));
        bad("99999999999", "-Dxlstm.test.flag=99999999999: a whole number, 0 or more", () -> Flags.intFlag(NAME, 0, 0));
    }

    @Test
    void aNumberOutOfRangeIsRefused() throws Throwable {
        bad("0", "-Dxlstm.test.flag=0: a whole number, 1 or more", () -> Flags.intFlag(NAME, 64, 1));
        bad("-1", "-Dxlstm.test.flag=-1: a whole number, 0 or more", () -> Flags.intFlag(NAME, 0, 0));
        bad("2000", "-Dxlstm.test.flag=2000: a whole number from 1 to 1024", () -> Flags.intFlag(NAME, 256, 1, 1024));
    }

    @Test
    void onlyTrueOrFalseIsABoolean() throws Throwable {
        bad("flase", "-Dxlstm.test.flag=flase: true or false", () -> Flags.boolFlag(NAME, true));
        bad("yes", "-Dxlstm.test.flag=yes: true or false", () -> Flags.boolFlag(NAME, false));
        bad("", "-Dxlstm.test.flag=: true or false", () -> Flags.boolFlag(NAME, false));
        bad("1", "-Dxlstm.test.flag=1: true or false", () -> Flags.boolFlag(NAME, false));
    }

    @Test
    void aValueNotAmongTheChoicesIsRefused() throws Throwable {
        bad("3", "-Dxlstm.test.flag=3: one of 1, 2, 4", () -> Flags.choice(NAME, "2", "1", "2", "4"));
        bad("ours", "-Dxlstm.test.flag=ours: one of own, cublas", () -> Flags.choice(NAME, "own", "own", "cublas"));
    }
}
