package dev.unison.bench.identity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairwise precision and recall of a resolution against the ground truth, over events: two
 * events form a true pair when they belong to the same person, a predicted pair when they ended
 * in the same (live) profile. TP = Σ over (person, profile) cells C(n,2); predicted = Σ over
 * profiles C(n,2); true = Σ over persons C(n,2). An unresolved event is a singleton: it is in no
 * predicted pair, but still in its person's true pairs.
 */
final class Accuracy {

    long events;
    long unresolved;
    long truePairs;
    long predictedPairs;
    long truePositivePairs;
    /** Profiles the events ended in. */
    long profiles;
    /** Persons whose events ended in more than one profile (an unresolved event counts as its own). */
    long personsSplit;
    /** Of those, persons with a work-email login (unlinkable by design). */
    long personsSplitWithWorkEmail;
    /** Profiles holding events of more than one person. */
    long profilesMixed;
    /** True pairs joining a work-email login (unlinkable by design) to another event of its person. */
    long designedUnlinkablePairs;
    /** Up to a few split persons (those without a work email first), for the report. */
    final List<Integer> splitExamples = new ArrayList<>();
    final List<Integer> mixedExamples = new ArrayList<>();

    double precision() {
        return predictedPairs == 0 ? 1.0 : (double) truePositivePairs / predictedPairs;
    }

    double recall() {
        return truePairs == 0 ? 1.0 : (double) truePositivePairs / truePairs;
    }

    /**
     * @param personOf the true person of each event
     * @param profileOf the live profile of each event (after following merges), null when unresolved
     * @param shapeOf each event's {@link Population.Shape} ordinal
     */
    static Accuracy compute(int[] personOf, String[] profileOf, byte[] shapeOf, int persons, int examples) {
        Accuracy a = new Accuracy();
        int n = personOf.length;
        a.events = n;
        Map<String, Integer> index = new HashMap<>(n / 2);
        int[] profileIndex = new int[n];
        int[] perPerson = new int[persons];
        int[] workEmail = new int[persons];
        int[] unresolvedPerPerson = new int[persons];
        byte work = (byte) Population.Shape.WORK_EMAIL_LOGIN.ordinal();
        for (int i = 0; i < n; i++) {
            perPerson[personOf[i]]++;
            if (shapeOf[i] == work) {
                workEmail[personOf[i]]++;
            }
            if (profileOf[i] == null) {
                profileIndex[i] = -1;
                a.unresolved++;
                unresolvedPerPerson[personOf[i]]++;
            } else {
                Integer k = index.get(profileOf[i]);
                if (k == null) {
                    k = index.size();
                    index.put(profileOf[i], k);
                }
                profileIndex[i] = k;
            }
        }
        a.profiles = index.size();
        int[] perProfile = new int[index.size()];
        long[] personProfile = new long[(int) (n - a.unresolved)];
        long[] profilePerson = new long[personProfile.length];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (profileIndex[i] >= 0) {
                perProfile[profileIndex[i]]++;
                personProfile[m] = ((long) personOf[i] << 32) | profileIndex[i];
                profilePerson[m] = ((long) profileIndex[i] << 32) | personOf[i];
                m++;
            }
        }
        for (int c : perPerson) {
            a.truePairs += pairs(c);
        }
        for (int c : perProfile) {
            a.predictedPairs += pairs(c);
        }
        for (int p = 0; p < persons; p++) {
            a.designedUnlinkablePairs += (long) workEmail[p] * (perPerson[p] - workEmail[p]);
        }
        Arrays.sort(personProfile);
        Arrays.sort(profilePerson);
        // cells and split persons
        int[] profilesPerPerson = new int[persons];
        for (int i = 0; i < m; ) {
            int j = i;
            while (j < m && personProfile[j] == personProfile[i]) {
                j++;
            }
            a.truePositivePairs += pairs(j - i);
            profilesPerPerson[(int) (personProfile[i] >>> 32)]++;
            i = j;
        }
        List<Integer> laterExamples = new ArrayList<>();
        for (int p = 0; p < persons; p++) {
            if (profilesPerPerson[p] + unresolvedPerPerson[p] > 1) {
                a.personsSplit++;
                a.personsSplitWithWorkEmail += workEmail[p] > 0 ? 1 : 0;
                if (workEmail[p] == 0 && a.splitExamples.size() < examples) {
                    a.splitExamples.add(p);
                } else if (workEmail[p] > 0 && laterExamples.size() < examples) {
                    laterExamples.add(p);
                }
            }
        }
        for (int i = 0; a.splitExamples.size() < examples && i < laterExamples.size(); i++) {
            a.splitExamples.add(laterExamples.get(i));
        }
        for (int i = 0; i < m; ) {
            int profile = (int) (profilePerson[i] >>> 32);
            int j = i;
            int personsIn = 0;
            while (j < m && (int) (profilePerson[j] >>> 32) == profile) {
                if (j == i || profilePerson[j] != profilePerson[j - 1]) {
                    personsIn++;
                }
                j++;
            }
            if (personsIn > 1) {
                a.profilesMixed++;
                if (a.mixedExamples.size() < examples) {
                    a.mixedExamples.add((int) profilePerson[i]); // the first person of the mixed profile
                }
            }
            i = j;
        }
        return a;
    }

    private static long pairs(long n) {
        return n * (n - 1) / 2;
    }
}
