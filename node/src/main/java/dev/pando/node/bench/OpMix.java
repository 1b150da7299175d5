package dev.pando.node.bench;

/**
 * The share of {@code kv.set} versus {@code kv.get} requests, in percent: {@code set=80,get=20}.
 */
public record OpMix(int setPercent) {
    public OpMix {
        if (setPercent < 0 || setPercent > 100) {
            throw new IllegalArgumentException("set percentage must be 0..100, got " + setPercent);
        }
    }

    /**
     * Parses {@code set=100}, {@code get=100}, {@code set=80,get=20} ({@code :} works as well as
     * {@code =}). Ops left out count 0; the total must be 100.
     */
    public static OpMix parse(String text) {
        int set = 0;
        int get = 0;
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("[=:]", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("mix entries look like set=80, got '" + part.trim() + "'");
            }
            int pct;
            try {
                pct = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mix percentage for '" + kv[0].trim() + "' is not a number: '" + kv[1].trim() + "'");
            }
            if (pct < 0) {
                throw new IllegalArgumentException("mix percentages must not be negative");
            }
            switch (kv[0].trim()) {
                case "set" -> set += pct;
                case "get" -> get += pct;
                default -> throw new IllegalArgumentException("unknown op '" + kv[0].trim() + "' in mix (known: set, get)");
            }
        }
        if (set + get != 100) {
            throw new IllegalArgumentException("mix percentages must add up to 100, got " + (set + get));
        }
        return new OpMix(set);
    }

    public int getPercent() {
        return 100 - setPercent;
    }

    /** Whether a request with {@code roll} in 0..99 is a set. */
    boolean isSet(int roll) {
        return roll < setPercent;
    }

    /** {@code set:100} or {@code set:80,get:20}. */
    public String label() {
        if (setPercent == 100) {
            return "set:100";
        }
        return setPercent == 0 ? "get:100" : "set:" + setPercent + ",get:" + getPercent();
    }
}
