package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every validation rule, each with an input that breaks it, asserting path and message. */
class JobValidationTest {

    @Nested
    class Document {
        @Test
        void yamlSyntaxErrorNamesLineAndColumn() {
            assertThat(problems("name: x\nsteps:\n  - key: a\n    run: [echo\n")).containsExactly(problem("$",
                    "YAML syntax error at line 5, column 1: expected ',' or ']', but got <stream end> (while parsing a flow sequence)"));
        }

        @Test
        void yamlBadIndentationNamesLineAndColumn() {
            assertThat(problems("name: x\n  steps: 1\n"))
                    .containsExactly(problem("$", "YAML syntax error at line 2, column 8: mapping values are not allowed here"));
        }

        @Test
        void jsonSyntaxErrorNamesLineAndColumn() {
            assertThat(problems("{\"name\": \"x\",\n \"steps\": [}", Format.JSON)).singleElement().satisfies(p -> {
                assertThat(p.path()).isEqualTo("$");
                assertThat(p.message()).startsWith("JSON syntax error at line 2, column 12: Unexpected close marker '}'");
            });
        }

        @Test
        void emptyDocument() {
            assertThat(problems("# nothing here\n")).containsExactly(problem("$", "the job definition is empty"));
        }

        @Test
        void rootMustBeAnObject() {
            assertThat(problems("- a\n- b\n")).containsExactly(problem("$", "expected an object with name and steps, got a list"));
        }

        @Test
        void onlyOneYamlDocument() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\n---\nname: y\n"))
                    .containsExactly(problem("$", "only one YAML document is allowed (another starts at line 4)"));
        }

        @Test
        void duplicateKeysAreErrors() {
            assertThat(problems("name: x\nname: y\nsteps: [{key: a, noop: {}}]\n"))
                    .containsExactly(problem("name", "duplicate key 'name'"));
        }

        @Test
        void yamlAliasesAreRejected() {
            assertThat(problems("name: x\ndescription: &d hello\nsteps: [{key: a, noop: {}, description: *d}]\n"))
                    .containsExactly(problem("steps[0].description", "YAML aliases (*d) are not supported; repeat the value instead"));
        }

        @Test
        void collectsAllProblemsNotOnlyTheFirst() {
            assertThat(problems("""
                    name: Bad Name
                    steps:
                      - key: a
                        run: echo
                        timeout: soon
                      - key: b
                        noop: {}
                        retry: { maxAttempts: 0 }
                    """)).extracting(Problem::path).containsExactly("name", "steps[0].timeout", "steps[1].retry.maxAttempts");
        }
    }

    @Nested
    class UnknownKeys {
        @Test
        void misspeltStepKeySuggestsTheClosest() {
            assertThat(problems("""
                    name: x
                    steps:
                      - key: a
                        noop: {}
                      - key: b
                        nedds: [a]
                        noop: {}
                    """)).containsExactly(problem("steps[1].nedds", "unknown key 'nedds'; did you mean 'needs'?"));
        }

        @Test
        void wordsFromOtherToolsSuggestBatonSpelling() {
            assertThat(problems("""
                    name: x
                    steps:
                      - key: a
                        noop: {}
                      - key: b
                        depends_on: [a]
                        noop: {}
                    """)).containsExactly(problem("steps[1].depends_on", "unknown key 'depends_on'; did you mean 'needs'?"));
        }

        @Test
        void caseAndSnakeCaseSuggestTheCamelCaseKey() {
            assertThat(problems("""
                    name: x
                    steps:
                      - key: a
                        noop: {}
                        retry: { max_attempts: 3 }
                    """)).containsExactly(problem("steps[0].retry.max_attempts",
                    "unknown key 'max_attempts'; did you mean 'maxAttempts'?"));
        }

        @Test
        void farOffKeyListsTheExpectedOnes() {
            assertThat(problems("""
                    name: x
                    steps: [{key: a, noop: {}}]
                    concurrency: { parallelism: 2 }
                    """)).containsExactly(problem("concurrency.parallelism",
                    "unknown key 'parallelism'; expected one of maxRuns"));
        }

        @Test
        void unknownTopLevelKey() {
            assertThat(problems("name: x\ndescripton: d\nsteps: [{key: a, noop: {}}]\n"))
                    .containsExactly(problem("descripton", "unknown key 'descripton'; did you mean 'description'?"));
        }
    }

    @Nested
    class RequiredFieldsAndTypes {
        @Test
        void nameIsRequired() {
            assertThat(problems("steps: [{key: a, noop: {}}]\n")).containsExactly(problem("name", "is required"));
        }

        @Test
        void stepsAreRequired() {
            assertThat(problems("name: x\n")).containsExactly(problem("steps", "is required (a job needs at least one step)"));
        }

        @Test
        void stepsMustNotBeEmpty() {
            assertThat(problems("name: x\nsteps: []\n")).containsExactly(problem("steps", "a job needs at least one step"));
        }

        @Test
        void stepKeyIsRequired() {
            assertThat(problems("name: x\nsteps: [{run: echo}]\n")).containsExactly(problem("steps[0].key", "is required"));
        }

        @Test
        void wrongTypeNamesWhatWasFound() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\npriority: high\n"))
                    .containsExactly(problem("priority", "expected an integer, got a string 'high'"));
        }

        @Test
        void integerOutOfRange() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {maxAttempts: 99999999999}}]\n"))
                    .containsExactly(problem("steps[0].retry.maxAttempts", "'99999999999' is out of range for an integer"));
        }

        @Test
        void stepsMustBeAList() {
            assertThat(problems("name: x\nsteps: {key: a}\n")).containsExactly(problem("steps", "expected a list, got an object"));
        }

        @Test
        void emptyScriptIsRejected() {
            assertThat(problems("name: x\nsteps: [{key: a, run: {script: \"  \"}}]\n"))
                    .containsExactly(problem("steps[0].run.script", "must not be empty"));
        }

        @Test
        void httpNeedsAUrl() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {method: POST}}]\n"))
                    .containsExactly(problem("steps[0].http.url", "is required"));
        }

        @Test
        void javaNeedsAHandler() {
            assertThat(problems("name: x\nsteps: [{key: a, java: {config: {a: b}}}]\n"))
                    .containsExactly(problem("steps[0].java.handler", "is required"));
        }

        @Test
        void freshnessNeedsMaxLag() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, freshness: {}}]}]\n"))
                    .containsExactly(problem("steps[0].produces[0].freshness.maxLag", "is required"));
        }
    }

    @Nested
    class Actions {
        @Test
        void aStepNeedsAnAction() {
            assertThat(problems("name: x\nsteps: [{key: a}]\n"))
                    .containsExactly(problem("steps[0]", "a step needs exactly one action: run, http, java, noop or sleep"));
        }

        @Test
        void aStepHasOnlyOneAction() {
            assertThat(problems("name: x\nsteps: [{key: a, run: echo, sleep: 2s}]\n"))
                    .containsExactly(problem("steps[0]", "a step has exactly one action, found run and sleep; choose one"));
        }

        @Test
        void noopFalseIsNotAnAction() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: false}]\n")).containsExactly(
                    problem("steps[0].noop", "noop: false is not an action; write noop: true or choose another action"));
        }

        @Test
        void sleepMustBePositive() {
            assertThat(problems("name: x\nsteps: [{key: a, sleep: 0s}]\n"))
                    .containsExactly(problem("steps[0].sleep", "must be positive (got 0s)"));
        }

        @Test
        void envOnlyOnRunSteps() {
            assertThat(problems("name: x\nsteps: [{key: a, sleep: 1s, env: {A: b}}]\n"))
                    .containsExactly(problem("steps[0].env", "env applies to run steps only; this is a sleep step"));
        }

        @Test
        void envNamesAreIdentifiers() {
            assertThat(problems("name: x\nsteps: [{key: a, run: echo, env: {MY-VAR: b}}]\n")).containsExactly(problem(
                    "steps[0].env.MY-VAR", "'MY-VAR' is not a valid environment variable name (letters, digits and '_',"
                            + " not starting with a digit)"));
        }

        @Test
        void httpMethodMustBeKnown() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {method: FETCH, url: 'https://x.example'}}]\n"))
                    .containsExactly(problem("steps[0].http.method",
                            "unknown HTTP method 'FETCH'; expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
        }

        @Test
        void httpUrlMustBeHttpOrHttps() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {url: 'ftp://x.example/f'}}]\n"))
                    .containsExactly(problem("steps[0].http.url", "'ftp://x.example/f' is not an http:// or https:// URL"));
        }

        @Test
        void httpUrlWithTemplatedPathIsChecked() {
            assertThat(problems("name: x\nparams: {p: {}}\nsteps: [{key: a, http: 'example.com/${{ params.p }}'}]\n"))
                    .containsExactly(problem("steps[0].http", "'example.com/${{ params.p }}' is not an http:// or https:// URL"));
        }

        @Test
        void httpStatusIsInRange() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {url: 'https://x.example', expectStatus: [200, 700]}}]\n"))
                    .containsExactly(problem("steps[0].http.expectStatus[1]", "HTTP status 700 is outside 100..599"));
        }

        @Test
        void httpOutputIsAJsonPointer() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {url: 'https://x.example', outputs: {id: data/id}}}]\n"))
                    .containsExactly(problem("steps[0].http.outputs.id",
                            "'data/id' is not a JSON pointer (e.g. /data/id, or \"\" for the whole body): must start with '/'"));
        }

        @Test
        void httpHeaderNameIsAToken() {
            assertThat(problems("name: x\nsteps: [{key: a, http: {url: 'https://x.example', headers: {'Bad Header': v}}}]\n"))
                    .containsExactly(problem("steps[0].http.headers['Bad Header']", "'Bad Header' is not a valid HTTP header name"));
        }

        @Test
        void javaHandlerIsAName() {
            assertThat(problems("name: x\nsteps: [{key: a, java: 'not a class'}]\n")).containsExactly(problem("steps[0].java",
                    "'not a class' is not a handler name (a registered name or class name: letters, digits, '.', '_', '$', '-')"));
        }
    }

    @Nested
    class Names {
        @Test
        void jobName() {
            assertThat(problems("name: Orders\nsteps: [{key: a, noop: {}}]\n")).containsExactly(problem("name",
                    "'Orders' is not a valid job name (lower-case letters, digits, '_' and '-', not starting with '-',"
                            + " at most 100 characters)"));
        }

        @Test
        void jobNameLength() {
            String name = "a".repeat(101);
            assertThat(problems("name: " + name + "\nsteps: [{key: a, noop: {}}]\n")).extracting(Problem::path)
                    .containsExactly("name");
            assertThat(TestJobs.parse("name: " + "a".repeat(100) + "\nsteps: [{key: a, noop: {}}]\n").getName()).hasSize(100);
        }

        @Test
        void stepKey() {
            assertThat(problems("name: x\nsteps: [{key: -a, noop: {}}]\n")).containsExactly(problem("steps[0].key",
                    "'-a' is not a valid step key (lower-case letters, digits, '_' and '-', not starting with '-',"
                            + " at most 100 characters)"));
        }

        @Test
        void poolIsAKafkaTopicSuffix() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, pool: 'eu west'}]\n")).containsExactly(problem(
                    "steps[0].pool", "'eu west' is not a valid pool name (it becomes the Kafka topic suffix"
                            + " baton.commands.<pool>: letters, digits, '.', '_', '-', at most 100 characters)"));
        }

        @Test
        void poolLength() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, pool: " + "p".repeat(101) + "}]\n"))
                    .extracting(Problem::path).containsExactly("steps[0].pool");
        }

        @Test
        void paramName() {
            assertThat(problems("name: x\nparams: {1st: {}}\nsteps: [{key: a, noop: {}}]\n")).containsExactly(problem(
                    "params.1st", "'1st' is not a valid parameter name (letters, digits and '_', not starting with a digit,"
                            + " at most 100 characters)"));
        }

        @Test
        void assetKey() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: ['raw//orders']}]\n")).containsExactly(problem(
                    "steps[0].produces[0]", "'raw//orders' is not a valid asset key ('/'-separated segments of letters,"
                            + " digits, '_', '.', '-', each not starting with '.' or '-', at most 255 characters)"));
        }

        @Test
        void tagKey() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntags: {'a b': c}\n")).containsExactly(problem(
                    "tags['a b']", "'a b' is not a valid tag key (letters, digits, '_', '.', ':', '/', '-', at most 100 characters)"));
        }

        @Test
        void kafkaTopic() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {name: t, topic: 'a b'}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.topic", "'a b' is not a valid Kafka topic name (letters,"
                            + " digits, '.', '_', '-', at most 249 characters)"));
        }
    }

    @Nested
    class StepGraph {
        @Test
        void duplicateStepKeys() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}, {key: a, noop: {}}]\n"))
                    .containsExactly(problem("steps[1].key", "duplicate step key 'a' (also at steps[0])"));
        }

        @Test
        void onFailureSharesTheStepKeyNamespace() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nonFailure: [{key: a, noop: {}}]\n"))
                    .containsExactly(problem("onFailure[0].key", "duplicate step key 'a' (also at steps[0])"));
        }

        @Test
        void unknownNeedsSuggestsTheClosest() {
            assertThat(problems("name: x\nsteps: [{key: extract, noop: {}}, {key: clean, needs: [extrct], noop: {}}]\n"))
                    .containsExactly(problem("steps[1].needs[0]", "unknown step 'extrct'; did you mean 'extract'?"));
        }

        @Test
        void unknownNeedsWithoutCloseMatch() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}, {key: b, noop: {}}, {key: c, needs: [a, b, zzz], noop: {}}]\n"))
                    .containsExactly(problem("steps[2].needs[2]", "unknown step 'zzz'"));
        }

        @Test
        void needsAcceptsASingleString() {
            assertThat(TestJobs.parse("name: x\nsteps: [{key: a, noop: {}}, {key: b, needs: a, noop: {}}]\n")
                    .getSteps().get(1).getNeeds()).containsExactly("a");
        }

        @Test
        void needingItself() {
            assertThat(problems("name: x\nsteps: [{key: a, needs: [a], noop: {}}]\n"))
                    .containsExactly(problem("steps[0].needs[0]", "a step cannot need itself"));
        }

        @Test
        void needingTheSameStepTwice() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}, {key: b, needs: [a, a], noop: {}}]\n"))
                    .containsExactly(problem("steps[1].needs[1]", "'a' is listed twice"));
        }

        @Test
        void twoStepCycleNamesThePath() {
            assertThat(problems("name: x\nsteps: [{key: a, needs: [b], noop: {}}, {key: b, needs: [a], noop: {}}]\n"))
                    .containsExactly(problem("steps[0].needs", "dependency cycle: a -> b -> a (each step needs the next)"));
        }

        @Test
        void longerCycleStartsAtTheFirstDeclaredStep() {
            assertThat(problems("""
                    name: x
                    steps:
                      - {key: start, noop: {}}
                      - {key: c, needs: [b], noop: {}}
                      - {key: a, needs: [start, c], noop: {}}
                      - {key: b, needs: [a], noop: {}}
                    """)).containsExactly(problem("steps[1].needs", "dependency cycle: c -> b -> a -> c (each step needs the next)"));
        }

        @Test
        void cycleInsideOnFailure() {
            assertThat(problems("""
                    name: x
                    steps: [{key: main, noop: {}}]
                    onFailure:
                      - {key: p, needs: [q], noop: {}}
                      - {key: q, needs: [p], noop: {}}
                    """)).containsExactly(problem("onFailure[0].needs", "dependency cycle: p -> q -> p (each step needs the next)"));
        }

        @Test
        void onFailureStepsCannotNeedMainSteps() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nonFailure: [{key: alert, needs: [a], noop: {}}]\n"))
                    .containsExactly(problem("onFailure[0].needs[0]",
                            "onFailure steps can only need other onFailure steps; 'a' is a main step"));
        }

        @Test
        void mainStepsCannotNeedOnFailureSteps() {
            assertThat(problems("name: x\nsteps: [{key: a, needs: [alert], noop: {}}]\nonFailure: [{key: alert, noop: {}}]\n"))
                    .containsExactly(problem("steps[0].needs[0]", "'alert' is an onFailure step; main steps cannot need it"));
        }

        @Test
        void onFailureStepsCannotProduceAssets() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nonFailure: [{key: alert, noop: {}, produces: [t]}]\n"))
                    .containsExactly(problem("onFailure[0].produces", "onFailure steps cannot produce assets"));
        }
    }

    @Nested
    class Values {
        @Test
        void infraRetriesOutOfRangeNamesTheirPath() {
            assertThat(problems("""
                    name: x
                    infraRetries: -1
                    steps:
                      - { key: a, noop: {} }
                      - { key: b, noop: {}, infraRetries: 101 }
                      - { key: c, noop: {}, infraRetries: many }
                    """)).containsExactlyInAnyOrder(
                    problem("infraRetries", "must be between 0 and 100 (got -1)"),
                    problem("steps[1].infraRetries", "must be between 0 and 100 (got 101)"),
                    problem("steps[2].infraRetries", "expected an integer, got a string 'many'"));
        }

        @Test
        void aSubJobStepHasNoInfraRetries() {
            assertThat(problems("name: x\nsteps: [{key: a, job: other, infraRetries: 2}]\n")).containsExactly(problem(
                    "steps[0].infraRetries", "a job step has no agent to lose; the sub-job's steps have their own"
                            + " infrastructure retries"));
        }

        @Test
        void infraRetriesAreReadAtJobAndStepLevel() {
            var job = TestJobs.parse("""
                    name: x
                    infraRetries: 0
                    steps:
                      - { key: a, noop: {} }
                      - { key: b, noop: {}, infraRetries: 5 }
                    """);
            assertThat(job.getInfraRetries()).isEqualTo(0);
            assertThat(job.getSteps().get(0).getInfraRetries()).isNull();
            assertThat(job.getSteps().get(1).getInfraRetries()).isEqualTo(5);
            assertThat(TestJobs.parse("name: x\nsteps: [{key: a, noop: {}}]\n").getInfraRetries()).isNull();
        }

        @Test
        void badDuration() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, timeout: soon}]\n")).containsExactly(problem(
                    "steps[0].timeout", "'soon' is not a duration; use ISO-8601 (PT5M, PT1S, P1D) or the short form"
                            + " (500ms, 30s, 5m, 1h, 2d, 1h30m)"));
        }

        @Test
        void durationWithoutUnit() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntimeout: 30\n"))
                    .containsExactly(problem("timeout", "'30' has no unit; write e.g. 30s or PT30S"));
        }

        @Test
        void zeroTimeout() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, heartbeatTimeout: PT0S}]\n"))
                    .containsExactly(problem("steps[0].heartbeatTimeout", "must be positive (got PT0S)"));
        }

        @Test
        void negativeIsoDuration() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, timeout: PT-5M}]\n"))
                    .containsExactly(problem("steps[0].timeout", "must be positive (got PT-5M)"));
        }

        @Test
        void zeroBackoffIsAllowedNegativeIsNot() {
            assertThat(TestJobs.parse("name: x\nsteps: [{key: a, noop: {}, retry: {backoff: 0s}}]\n")
                    .getSteps().get(0).getRetry().getInitialBackoffMs()).isZero();
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {backoff: -PT1S}}]\n"))
                    .containsExactly(problem("steps[0].retry.backoff", "must be zero or positive (got -PT1S)"));
        }

        @Test
        void maxAttemptsAtLeastOne() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {maxAttempts: 0}}]\n"))
                    .containsExactly(problem("steps[0].retry.maxAttempts", "must be at least 1 (got 0)"));
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: -2}]\n"))
                    .containsExactly(problem("steps[0].retry", "maxAttempts must be at least 1 (got -2)"));
        }

        @Test
        void multiplierAtLeastOne() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {multiplier: 0.5}}]\n"))
                    .containsExactly(problem("steps[0].retry.multiplier", "must be at least 1.0 (got 0.5)"));
        }

        @Test
        void jitterBetweenZeroAndOne() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {jitter: 1.5}}]\n"))
                    .containsExactly(problem("steps[0].retry.jitter", "must be between 0 and 1 (got 1.5)"));
        }

        @Test
        void maxBackoffNotBelowBackoff() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, retry: {backoff: 10m, maxBackoff: 1m}}]\n"))
                    .containsExactly(problem("steps[0].retry.maxBackoff", "must not be less than backoff (PT1M < PT10M)"));
        }

        @Test
        void maxRunsAtLeastOne() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nconcurrency: {maxRuns: 0}\n"))
                    .containsExactly(problem("concurrency.maxRuns", "must be at least 1 (got 0)"));
        }

        @Test
        void requiredParamCannotHaveADefault() {
            assertThat(problems("name: x\nparams: {day: {default: '1', required: true}}\nsteps: [{key: a, noop: {}}]\n"))
                    .containsExactly(problem("params.day.required",
                            "a required parameter cannot have a default (callers must always pass it); drop one of them"));
        }

        @Test
        void enumValuesSuggest() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, checks: [{name: c, expr: 'rows > 0', severity: WARNING}]}]}]\n"))
                    .containsExactly(problem("steps[0].produces[0].checks[0].severity",
                            "'WARNING' is not one of WARN, ERROR; did you mean 'WARN'?"));
        }

        @Test
        void tagValueLength() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntags: {t: " + "v".repeat(257) + "}\n"))
                    .containsExactly(problem("tags.t", "tag values are at most 256 characters"));
        }
    }

    @Nested
    class Assets {
        @Test
        void assetProducedTwiceInAJob() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [t]}, {key: b, noop: {}, produces: [t]}]\n"))
                    .containsExactly(problem("steps[1].produces[0]", "asset 't' is already produced by step 'a'"));
        }

        @Test
        void assetCannotDependOnItself() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, deps: [t]}]}]\n"))
                    .containsExactly(problem("steps[0].produces[0].deps[0]", "an asset cannot depend on itself"));
        }

        @Test
        void explicitDepsAgainstStepOrderMakeACycle() {
            // clean_orders is made after raw_orders (needs), but raw_orders declares it depends on clean_orders.
            assertThat(problems("""
                    name: x
                    steps:
                      - {key: extract, noop: {}, produces: [{key: raw_orders, deps: [clean_orders]}]}
                      - {key: clean, needs: [extract], noop: {}, produces: [clean_orders]}
                    """)).containsExactly(problem("steps[1].produces[0]", "asset dependency cycle: clean_orders -> raw_orders"
                    + " -> clean_orders (clean_orders -> raw_orders: deps in job 'x'; raw_orders -> clean_orders: step needs in job 'x')"));
        }

        @Test
        void checkExpressionMustCompile() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, checks: [{name: c, expr: 'rows >'}]}]}]\n"))
                    .containsExactly(problem("steps[0].produces[0].checks[0].expr",
                            "invalid check expression 'rows >': parsing error in '>' at column 6"));
        }

        @Test
        void checkExpressionsHaveNoSideEffects() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, checks: [{name: c, expr: 'rows = 1'}]}]}]\n"))
                    .singleElement().satisfies(p -> {
                        assertThat(p.path()).isEqualTo("steps[0].produces[0].checks[0].expr");
                        assertThat(p.message()).startsWith("invalid check expression 'rows = 1'");
                    });
        }

        @Test
        void checkNamesAreUniquePerAsset() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [{key: t, checks: [{name: c, expr: 'a > 0'}, {name: c, expr: 'b > 0'}]}]}]\n"))
                    .containsExactly(problem("steps[0].produces[0].checks[1].name",
                            "duplicate check name 'c' (also at steps[0].produces[0].checks[0])"));
        }

        @Test
        void assetTriggerOnOwnAsset() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}, produces: [t]}]\ntriggers: [{assets: [t]}]\n"))
                    .containsExactly(problem("triggers[0].assets[0]",
                            "this job produces 't' itself (step 'a'); triggering on it would start the job again after every run"));
        }
    }

    @Nested
    class Schedules {
        @Test
        void invalidCron() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {cron: '61 * * * *'}\n"))
                    .containsExactly(problem("schedule.cron", "invalid cron expression '61 * * * *': Value 61 not in range [0, 59]"));
        }

        @Test
        void cronWithWrongFieldCount() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedules: [{name: s, cron: '* * * *'}]\n"))
                    .containsExactly(problem("schedules[0].cron", "cron expression '* * * *' has 4 fields; expected 5"
                            + " (minute hour day-of-month month day-of-week) or 6 (seconds first)"));
        }

        @Test
        void quartzOnlySyntaxIsRejected() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: '0 0 L * *'\n")).extracting(Problem::path)
                    .containsExactly("schedule");
        }

        @Test
        void cronOrEveryIsRequired() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {timezone: UTC}\n"))
                    .containsExactly(problem("schedule", "a schedule needs cron or every"));
        }

        @Test
        void cronAndEveryAreExclusive() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {cron: '0 * * * *', every: 1h}\n"))
                    .containsExactly(problem("schedule", "a schedule has either cron or every, not both"));
        }

        @Test
        void everyAtLeastOneSecond() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {every: 500ms}\n"))
                    .containsExactly(problem("schedule.every", "must be at least 1s (got PT0.5S)"));
        }

        @Test
        void unknownTimezoneSuggests() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {cron: '0 2 * * *', timezone: europe/berlin}\n"))
                    .containsExactly(problem("schedule.timezone",
                            "'europe/berlin' is not an IANA time zone (e.g. Europe/Berlin, UTC); did you mean 'Europe/Berlin'?"));
        }

        @Test
        void offsetsAreNotIanaZones() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {cron: '0 2 * * *', timezone: '+02:00'}\n"))
                    .extracting(Problem::path).containsExactly("schedule.timezone");
        }

        @Test
        void endAfterStart() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {every: 1h, start: 2026-02-01, end: 2026-01-01}\n"))
                    .containsExactly(problem("schedule.end", "must be after start (2026-02-01T00:00:00Z)"));
        }

        @Test
        void badStart() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {every: 1h, start: tomorrow}\n"))
                    .containsExactly(problem("schedule.start", "'tomorrow' is not a date or time; use 2026-01-01,"
                            + " 2026-01-01T02:00 (in the schedule's time zone) or 2026-01-01T02:00:00Z"));
        }

        @Test
        void duplicateScheduleNames() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedules: [{every: 1h}, {every: 2h}]\n"))
                    .containsExactly(problem("schedules[1].name",
                            "duplicate schedule name 'default' (also at schedules[0]); give each schedule its own name"));
        }

        @Test
        void scheduleAndSchedulesAreExclusive() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {name: a, every: 1h}\nschedules: [{name: b, every: 2h}]\n"))
                    .containsExactly(problem("schedule", "use either schedule or schedules, not both"));
        }

        @Test
        void scheduleParamsMustBeDeclared() {
            assertThat(problems("name: x\nparams: {day: {}}\nsteps: [{key: a, noop: {}}]\nschedule: {every: 1h, params: {dy: '1'}}\n"))
                    .containsExactly(problem("schedule.params.dy", "unknown parameter 'dy'; did you mean 'day'?"));
        }

        @Test
        void scheduleMustSetRequiredParams() {
            assertThat(problems("name: x\nparams: {day: {required: true}}\nsteps: [{key: a, noop: {}}]\nschedule: '0 2 * * *'\n"))
                    .containsExactly(problem("schedule", "required parameter 'day' is not set by schedule 'default'"));
        }
    }

    @Nested
    class Triggers {
        @Test
        void filterMustCompile() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t, filter: 'value.x >'}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.filter",
                            "invalid filter expression 'value.x >': parsing error in '>' at column 9"));
        }

        @Test
        void filterReadsOnlyRecordVariables() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t, filter: \"status == 'PAID'\"}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.filter",
                            "filter reads unknown variable status; available: key, value, headers, topic, partition, offset, timestamp"));
        }

        @Test
        void aTriggerIsKafkaOrAssets() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{name: t}]\n"))
                    .containsExactly(problem("triggers[0]", "a trigger needs kafka or assets"));
        }

        @Test
        void kafkaNeedsATopic() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {name: t}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.topic", "is required"));
        }

        @Test
        void kafkaFormat() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t, format: XML}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.format", "'XML' is not one of JSON, AVRO, STRING"));
        }

        @Test
        void duplicateTriggerNames() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t}}, {kafka: {topic: t}}]\n"))
                    .containsExactly(problem("triggers[1].kafka.name",
                            "duplicate trigger name 't' (also at triggers[0]); give each trigger its own name"));
        }

        @Test
        void kafkaParamsMustBeDeclared() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t, params: {id: '${{ trigger.key }}'}}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.params.id", "unknown parameter 'id'; declare it under params"));
        }

        @Test
        void kafkaMustSetRequiredParams() {
            assertThat(problems("name: x\nparams: {id: {required: true}}\nsteps: [{key: a, noop: {}}]\ntriggers: [{kafka: {topic: t}}]\n"))
                    .containsExactly(problem("triggers[0].kafka.params", "required parameter 'id' is not set by Kafka trigger 't'"));
        }

        @Test
        void assetTriggersCannotSetRequiredParams() {
            assertThat(problems("name: x\nparams: {id: {required: true}}\nsteps: [{key: a, noop: {}}]\ntriggers: [{assets: [raw]}]\n"))
                    .containsExactly(problem("triggers[0]",
                            "asset trigger 'assets' starts runs without params, but parameter 'id' is required"));
        }

        @Test
        void assetTriggerNeedsAssets() {
            assertThat(problems("name: x\nsteps: [{key: a, noop: {}}]\ntriggers: [{assets: []}]\n"))
                    .containsExactly(problem("triggers[0].assets", "list at least one asset key"));
        }
    }
}
