package dev.baton.uitests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.cli.DevStack;
import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in real headless Chromium (Debian's chromium + chromium-driver) against the whole single-machine
 * stack: broker, registry, coordinator, scheduler, agent and the gateway serving the UI. Each test also checks that
 * the browser console stayed free of errors. Screenshots of each page go to {@code ui.screenshots.dir}
 * (default target/ui-screenshots; docs/ui/ holds the committed ones).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the orders_daily run first, on an idle stack
class WebUiBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path REPO = Path.of(System.getProperty("maven.multiModuleProjectDirectory", "..")).toAbsolutePath().normalize();
    static final Path SHOTS = Path.of(System.getProperty("ui.screenshots.dir", "target/ui-screenshots"));
    static final String SLOW = """
            name: slow_job
            description: Sleeps, so there is time to look at it (and cancel it)
            params:
              seconds: { default: "600" }
            steps:
              - key: wait
                run: sleep ${{ params.seconds }}
            """;
    static final String NEEDS_PARAM = """
            name: needs_param
            params:
              order_id: { required: true, description: The order to reprocess }
              mode: { default: fast }
            steps:
              - key: go
                run: echo "order ${{ params.order_id }} ${{ params.mode }}"
            """;
    static final String ORPHAN = """
            name: orphan_pool
            steps:
              - key: sweep
                pool: nowhere
                run: echo never
            """;

    static final String SIZED = """
            name: sized
            description: Materializes sized_table with the row count it is given
            params:
              rows: { default: "10" }
            steps:
              - key: load
                run: |
                  printf '{"asset":"sized_table","metadata":{"row_count":%s,"note":"rows"}}\\n' "$BATON_PARAM_ROWS" >> "$BATON_MATERIALIZATIONS"
                produces: [sized_table]
            """;
    static final String PARTED = """
            name: parted
            description: One run per day; the 3rd of January fails
            partitions:
              daily: { start: "2026-01-01", end: "2026-01-10" }
            steps:
              - key: load
                run: test "${{ partition.key }}" != "2026-01-03"
            """;
    static final String PARTED_SLOW = """
            name: parted_slow
            partitions:
              daily: { start: "2026-01-01", end: "2026-01-10" }
            steps:
              - key: load
                run: sleep 600
            """;

    final HttpClient http = HttpClient.newHttpClient();
    Path dir;
    DevStack stack;
    String admin;
    String viewer;
    final List<WebDriver> drivers = new ArrayList<>();

    @BeforeAll
    void startStack() throws Exception {
        dir = Files.createTempDirectory("baton-ui-test");
        stack = DevStack.start(new DevStack.Settings(dir.resolve("data"), 0, 0, 0, 4, Map.of()));
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(stack::ready);
        admin = stack.adminToken();
        viewer = ApiTokens.createInFiles(dir.resolve("data").resolve("tokens"), null, "vera", Role.VIEWER).token();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", "/api/v1/whoami", viewer, null).statusCode() == 200);
        // a long step that writes its shell's and its sleep's process ids, so a test can see Cancel kill them
        String pidJob = """
                name: pid_job
                description: Sleeps in a child process and writes the process ids
                steps:
                  - key: wait
                    run: |
                      sleep 600 &
                      echo $$ > %1$s.tmp
                      echo $! >> %1$s.tmp
                      mv %1$s.tmp %1$s
                      wait
                """.formatted(pidFile());
        for (String job : List.of(Files.readString(REPO.resolve("examples/orders_daily.yaml")), SLOW, NEEDS_PARAM, ORPHAN, pidJob, SIZED,
                PARTED, PARTED_SLOW)) {
            HttpResponse<String> r = call("POST", "/api/v1/jobs", admin, job);
            assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        }
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void closeBrowsers() {
        List<String> errors = new ArrayList<>();
        for (WebDriver d : drivers) {
            for (LogEntry e : d.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(e.getMessage());
                }
            }
            d.quit();
        }
        drivers.clear();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void signInByLinkRemovesTheTokenAndSignInByFormReturnsToThePageAsked() {
        WebDriver b = browser();
        b.get(stack.gatewayUrl() + "/runs?token=" + admin);
        await(b).until(d -> d.findElements(By.id("runs-table")).size() == 1);
        assertThat(b.getCurrentUrl()).doesNotContain("token").endsWith("/runs");
        assertThat(b.findElement(By.id("role")).getText()).isEqualTo("admin");
        assertThat(b.manage().getCookieNamed("baton_session").isHttpOnly()).isTrue();
        shot(b, "runs");

        WebDriver f = browser();
        f.get(stack.gatewayUrl() + "/jobs");
        await(f).until(d -> d.getCurrentUrl().contains("/login"));
        shot(f, "login");
        f.findElement(By.id("token")).sendKeys(viewer, Keys.ENTER);
        await(f).until(d -> d.findElements(By.id("jobs-table")).size() == 1);
        assertThat(f.getCurrentUrl()).endsWith("/jobs");
        assertThat(f.findElement(By.id("role")).getText()).isEqualTo("viewer");
        shot(f, "jobs");

        // reload keeps the session; sign out ends it
        f.navigate().refresh();
        await(f).until(d -> d.findElements(By.id("jobs-table")).size() == 1);
        click(f, By.id("sign-out"));
        await(f).until(d -> d.getCurrentUrl().contains("/login"));
        f.get(stack.gatewayUrl() + "/runs");
        await(f).until(d -> d.getCurrentUrl().contains("/login"));
    }

    @Test
    @Order(1)
    void ordersDailyStartedFromTheRunFormGoesLiveToSucceededOnItsPageAndTheSliderShowsAnEarlierState() {
        WebDriver b = signedIn(admin, "/jobs/orders_daily");
        await(b).until(d -> d.findElements(By.id("run-form")).size() == 1);
        shot(b, "job");
        WebElement day = b.findElement(By.id("param-day"));
        day.clear();
        day.sendKeys("2026-11-21");
        js(b).executeScript("window.__noReload = true;");
        click(b, By.id("run-submit"));
        await(b).until(d -> d.getCurrentUrl().matches(".*/runs/[^/]+$"));
        String runId = b.getCurrentUrl().replaceAll(".*/runs/", "");
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> run(runId).path("status").asText().equals("SUCCEEDED"));
        await(b).until(d -> status(d, "#run-status .badge").equals("SUCCEEDED"));
        assertThat(js(b).executeScript("return window.__noReload === true")).as("the page was not reloaded").isEqualTo(true);
        await(b).until(d -> d.findElement(By.id("log-lines")).getText().contains("extracting orders for 2026-11-21"));
        assertThat(b.findElements(By.cssSelector("#gantt rect.bar.st-succeeded"))).hasSize(2);
        assertThat(b.findElement(By.cssSelector("#steps-table tr[data-step=extract]")).getText()).contains("rows", "42", "raw_orders");
        assertThat(b.findElements(By.id("cancel"))).isEmpty(); // finished: nothing to cancel
        shot(b, "run");

        // log search filters the lines
        b.findElement(By.id("log-search")).sendKeys("no such text anywhere");
        await(b).until(d -> d.findElement(By.id("log-lines")).getText().isEmpty());

        click(b, By.linkText("Event log"));
        await(b).until(d -> d.findElements(By.id("state-status")).size() == 1);
        await(b).until(d -> status(d, "#state-status .badge").equals("SUCCEEDED"));
        WebElement slider = b.findElement(By.id("event-slider"));
        slider.sendKeys(Keys.HOME); // the first event: the request
        await(b).until(d -> status(d, "#state-status .badge").equals("QUEUED"));
        assertThat(b.findElement(By.id("slider-label")).getText()).startsWith("after event #1 of");
        assertThat(b.getCurrentUrl()).endsWith("/runs/" + runId + "/events?at=1");
        assertThat(b.findElements(By.cssSelector("#state-steps tr[data-step]"))).allSatisfy(r -> assertThat(r.getText()).contains("PENDING"));
        shot(b, "events");
        b.navigate().back(); // history: back to the run page
        await(b).until(d -> d.getCurrentUrl().endsWith("/runs/" + runId) && !d.findElements(By.id("run-status")).isEmpty());
    }

    @Test
    @Order(2)
    void theStepGraphShowsEachStepsStateForOrdersDailyAndItsEdge() throws Exception {
        String runId = JSON.readTree(call("POST", "/api/v1/jobs/orders_daily/runs", admin, "{\"params\":{\"day\":\"2026-11-22\"}}").body())
                .path("runId").asText();
        WebDriver b = signedIn(admin, "/runs/" + runId);
        await(b).until(d -> d.findElements(By.cssSelector("#step-graph g.step-node[data-step='clean']")).size() == 1);
        assertThat(b.findElements(By.cssSelector("#step-graph path.edge[data-from='extract'][data-to='clean']"))).hasSize(1);
        // live: both nodes reach SUCCEEDED without a reload
        await(b).until(d -> "SUCCEEDED".equals(attr(d, "#step-graph g[data-step='extract']", "data-status"))
                && "SUCCEEDED".equals(attr(d, "#step-graph g[data-step='clean']", "data-status")));
        assertThat(b.findElement(By.cssSelector("#step-graph g[data-step='clean']")).getAttribute("class")).contains("st-succeeded");
        // upstream left of downstream
        double extractX = Double.parseDouble(b.findElement(By.cssSelector("#step-graph g[data-step='extract'] rect.node")).getAttribute("x"));
        double cleanX = Double.parseDouble(b.findElement(By.cssSelector("#step-graph g[data-step='clean'] rect.node")).getAttribute("x"));
        assertThat(extractX).isLessThan(cleanX);
        // the origin names the API caller
        assertThat(b.findElement(By.id("origin")).getText()).contains("api", "admin");
        // keyboard: a node takes focus and Enter picks its logs
        WebElement node = b.findElement(By.cssSelector("#step-graph g[data-step='clean']"));
        js(b).executeScript("arguments[0].focus()", node);
        b.switchTo().activeElement().sendKeys(Keys.ENTER);
        await(b).until(d -> "clean".equals(d.findElement(By.id("log-step")).getAttribute("value")));
        js(b).executeScript("window.scrollTo(0, 0)");
        shot(b, "run-graph");
    }

    @Test
    void theRunsPageFiltersByOriginAndTimeAndFollowsNewRunsLive() throws Exception {
        WebDriver b = signedIn(admin, "/runs");
        await(b).until(d -> d.findElements(By.id("runs-table")).size() == 1);
        js(b).executeScript("window.__noReload = true;");
        new Select(b.findElement(By.id("filter-origin"))).selectByValue("API");
        await(b).until(d -> d.getCurrentUrl().contains("origin=API") && d.findElement(By.id("runs-live")).getText().startsWith("live"));
        // a run triggered now shows up on the open page through the all-runs stream, without a reload
        String runId = JSON.readTree(call("POST", "/api/v1/jobs/slow_job/runs", admin, "{\"params\":{\"seconds\":\"0\"}}").body())
                .path("runId").asText();
        await(b).until(d -> d.findElements(By.cssSelector("#runs-table tr[data-run='" + runId + "']")).size() == 1);
        assertThat(js(b).executeScript("return window.__noReload === true")).as("the page was not reloaded").isEqualTo(true);
        assertThat(origins(b)).allSatisfy(x -> assertThat(x).isEqualTo("API"));
        shot(b, "runs-filtered");

        new Select(b.findElement(By.id("filter-origin"))).selectByValue("SCHEDULE");
        await(b).until(d -> d.getCurrentUrl().contains("origin=SCHEDULE") && d.findElements(By.cssSelector("#runs-table tr[data-run='" + runId + "']")).isEmpty());
        assertThat(origins(b)).allSatisfy(x -> assertThat(x).isEqualTo("SCHEDULE"));

        // time range: before the run, nothing; the last hour, the run
        b.get(stack.gatewayUrl() + "/runs?range=custom&until=2000-01-01T00:00:00.000Z");
        await(b).until(d -> d.findElements(By.id("runs-table")).size() == 1);
        assertThat(b.findElements(By.cssSelector("#runs-table tr[data-run]"))).isEmpty();
        assertThat(b.findElement(By.id("filter-until")).getAttribute("value")).isNotEmpty();
        new Select(b.findElement(By.id("filter-range"))).selectByValue("1h");
        await(b).until(d -> d.findElements(By.cssSelector("#runs-table tr[data-run='" + runId + "']")).size() == 1);
        assertThat(b.getCurrentUrl()).contains("range=1h").doesNotContain("until=");
    }

    @Test
    void theJobPageShowsTheLineDiffBetweenTwoVersions() throws Exception {
        String v1 = "name: diffed\ndescription: first\nsteps:\n  - key: a\n    run: echo one\n";
        String v2 = "name: diffed\ndescription: second\nsteps:\n  - key: a\n    run: echo one\n  - key: b\n    needs: [a]\n    run: echo two\n";
        assertThat(call("POST", "/api/v1/jobs", admin, v1).statusCode()).isIn(200, 201);
        assertThat(call("POST", "/api/v1/jobs", admin, v2).statusCode()).isIn(200, 201);
        WebDriver b = signedIn(admin, "/jobs/diffed");
        await(b).until(d -> d.findElements(By.id("compare-form")).size() == 1);
        new Select(b.findElement(By.id("compare-from"))).selectByValue("1");
        new Select(b.findElement(By.id("compare-to"))).selectByValue("2");
        click(b, By.id("compare-submit"));
        await(b).until(d -> d.findElements(By.id("version-diff")).size() == 1);
        assertThat(b.getCurrentUrl()).contains("compare=1").contains("version=2");
        List<String> removed = b.findElements(By.cssSelector("#version-diff .del")).stream().map(e -> e.getDomProperty("textContent")).toList();
        List<String> added = b.findElements(By.cssSelector("#version-diff .add")).stream().map(e -> e.getDomProperty("textContent")).toList();
        assertThat(removed).containsExactly("-description: first");
        assertThat(added).containsExactly("+description: second", "+  - key: b", "+    needs: [a]", "+    run: echo two");
        assertThat(b.findElement(By.id("diff-summary")).getText()).isEqualTo("4 lines added, 1 removed");
        shot(b, "job-diff");
    }

    @Test
    void aViewerSeesNoCancelAndAnOperatorCancelsALongRunFromItsPageWhichKillsItsProcesses() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/jobs/pid_job/runs", admin, "{}");
        String runId = JSON.readTree(r.body()).path("runId").asText();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> run(runId).path("status").asText().equals("RUNNING"));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile()));
        List<Long> pids = Files.readAllLines(pidFile()).stream().map(String::strip).map(Long::parseLong).toList();
        assertThat(pids).as("the step's shell and its sleep").hasSize(2).allSatisfy(p -> assertThat(running(p)).as("process " + p).isTrue());

        try {
            viewerAndOperator(runId);
            // Cancel ended the run and the agent killed the step's process tree: the shell and the sleep it forked
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(pids).allSatisfy(p -> assertThat(running(p)).as("process " + p + " after Cancel").isFalse()));
        } finally {
            call("POST", "/api/v1/runs/" + runId + "/cancel", admin, "{}");
        }
    }

    Path pidFile() {
        return dir.resolve("pid_job.pids");
    }

    /** Whether a process exists and is not a zombie (a killed child not reaped yet has ended all the same). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false; // no such process
        }
    }

    @Test
    void theAssetPagePlotsNumericMetadataOverItsMaterializations() throws Exception {
        for (String rows : List.of("10", "30", "20")) {
            String runId = JSON.readTree(call("POST", "/api/v1/jobs/sized/runs", admin, "{\"params\":{\"rows\":\"" + rows + "\"}}").body())
                    .path("runId").asText();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> run(runId).path("status").asText().equals("SUCCEEDED"));
        }
        WebDriver b = signedIn(viewer, "/assets/sized_table");
        String chart = "#metadata-charts svg.metric-chart[data-key='row_count']";
        await(b).until(d -> d.findElements(By.cssSelector(chart + " circle.point")).size() == 3);
        @SuppressWarnings("unchecked")
        List<String> values = (List<String>) js(b).executeScript("return [...document.querySelectorAll(arguments[0])].map(c => c.dataset.value);",
                chart + " circle.point");
        assertThat(values).as("oldest left").containsExactly("10", "30", "20");
        assertThat(b.findElements(By.cssSelector(chart + " path.line"))).hasSize(1);
        assertThat(b.findElement(By.cssSelector(chart)).getAttribute("aria-label")).contains("3 values", "from 10 to 30", "latest 20");
        // text metadata is not plotted
        assertThat(b.findElements(By.cssSelector("#metadata-charts svg.metric-chart[data-key='note']"))).isEmpty();
        // higher values sit higher: the 30 point's y is the smallest
        @SuppressWarnings("unchecked")
        List<Number> ys = (List<Number>) js(b).executeScript("return [...document.querySelectorAll(arguments[0])].map(c => Number(c.getAttribute('cy')));",
                chart + " circle.point");
        assertThat(ys.get(1).doubleValue()).isLessThan(ys.get(2).doubleValue()).isLessThan(ys.get(0).doubleValue());
        // keyboard: the points take focus and carry their time in UTC
        WebElement point = b.findElements(By.cssSelector(chart + " circle.point")).get(2);
        js(b).executeScript("arguments[0].focus()", point);
        assertThat(b.switchTo().activeElement().getAttribute("data-value")).isEqualTo("20");
        assertThat(point.findElement(By.tagName("title")).getDomProperty("textContent")).contains("row_count = 20", "UTC: ");
        shot(b, "asset-metadata");
    }

    @Test
    void theBackfillPagesShowProgressAndAnOperatorCancelsABackfill() throws Exception {
        JsonNode done = JSON.readTree(call("POST", "/api/v1/jobs/parted/backfills", admin,
                "{\"from\":\"2026-01-01\",\"to\":\"2026-01-04\",\"backfillId\":\"ui-done\"}").body());
        assertThat(done.path("partitions").asLong()).isEqualTo(4);
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
                JSON.readTree(call("GET", "/api/v1/backfills/ui-done", admin, null).body()).path("done").asBoolean());

        WebDriver v = signedIn(viewer, "/backfills");
        String row = "#backfills-table tr[data-backfill='ui-done']";
        await(v).until(d -> d.findElements(By.cssSelector(row)).size() == 1);
        assertThat(v.findElement(By.cssSelector(row)).getText()).contains("parted", "2026-01-01 → 2026-01-04", "4 partitions", "4 of 4 finished");
        assertThat(status(v, row + " td:nth-child(4) .badge")).isEqualTo("FAILED"); // one partition's run failed
        assertThat(v.findElement(By.cssSelector(row + " time")).getAttribute("title")).startsWith("UTC: ");
        click(v, By.cssSelector(row + " a.mono"));
        await(v).until(d -> d.getCurrentUrl().endsWith("/backfills/ui-done") && d.findElements(By.id("backfill-progress")).size() == 1);
        assertThat(v.findElement(By.id("backfill-progress")).getAttribute("data-finished")).isEqualTo("4");
        assertThat(v.findElement(By.cssSelector("#backfill-counts tr[data-status='SUCCEEDED'] td.num")).getText()).isEqualTo("3");
        assertThat(v.findElement(By.cssSelector("#backfill-counts tr[data-status='FAILED'] td.num")).getText()).isEqualTo("1");
        assertThat(v.findElements(By.id("backfill-retry"))).as("a viewer gets no Retry").isEmpty();
        assertThat(v.findElements(By.id("backfill-cancel"))).as("nothing left to cancel").isEmpty();
        WebDriver a = signedIn(admin, "/backfills/ui-done");
        await(a).until(d -> d.findElements(By.id("backfill-retry")).size() == 1);
        assertThat(a.findElement(By.id("backfill-retry")).getText()).isEqualTo("Retry 1 failed");
        shot(a, "backfill");

        // a running backfill: one run at a time, each sleeping; the operator cancels it from its page
        call("POST", "/api/v1/jobs/parted_slow/backfills", admin, "{\"from\":\"2026-01-01\",\"to\":\"2026-01-03\",\"backfillId\":\"ui-slow\",\"maxConcurrent\":1}");
        try {
            a.get(stack.gatewayUrl() + "/backfills/ui-slow");
            await(a).until(d -> d.findElements(By.id("backfill-cancel")).size() == 1
                    && d.findElement(By.id("backfill-progress")).getText().contains("1 running"));
            assertThat(status(a, "#backfill-status .badge")).isIn("SUBMITTING", "SUBMITTED", "RUNNING"); // RUNNING: event-sourced backfills
            shot(a, "backfill-running");
            WebDriver v2 = signedIn(viewer, "/backfills/ui-slow");
            await(v2).until(d -> d.findElements(By.id("backfill-progress")).size() == 1);
            assertThat(v2.findElements(By.id("backfill-cancel"))).isEmpty();
            click(a, By.id("backfill-cancel"));
            a.switchTo().alert().accept();
            await(a).until(d -> status(d, "#backfill-status .badge").equals("CANCELED"));
            await(a).until(d -> d.findElements(By.cssSelector("#backfill-counts tr[data-status='CANCELED']")).size() == 1
                    && d.findElements(By.cssSelector("#backfill-counts tr[data-status='RUNNING']")).isEmpty());
            assertThat(a.findElements(By.id("backfill-cancel"))).isEmpty();
            JsonNode st = JSON.readTree(call("GET", "/api/v1/backfills/ui-slow", admin, null).body());
            assertThat(st.path("backfill").path("status").asText()).isEqualTo("CANCELED");
            a.get(stack.gatewayUrl() + "/backfills");
            await(a).until(d -> status(d, "#backfills-table tr[data-backfill='ui-slow'] td:nth-child(4) .badge").equals("CANCELED"));
            shot(a, "backfills");
        } finally {
            call("POST", "/api/v1/backfills/ui-slow/cancel", admin, "{}");
        }
    }

    @Test
    void aFailedRunOpensAnIncidentThatAViewerSeesWithoutAcknowledgeAndAnOperatorAcknowledgesFromItsPage() throws Exception {
        // examples/nightly_cleanup.yaml: its step exits 1 and its run_failed rule has a webhook on a port nobody
        // listens on; the failed delivery does not matter for the incident.
        HttpResponse<String> reg = call("POST", "/api/v1/jobs", admin, Files.readString(REPO.resolve("examples/nightly_cleanup.yaml")));
        assertThat(reg.statusCode()).as(reg.body()).isIn(200, 201);
        String runId = JSON.readTree(call("POST", "/api/v1/jobs/nightly_cleanup/runs", admin, "{}").body()).path("runId").asText();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> run(runId).path("status").asText().equals("FAILED"));

        WebDriver v = signedIn(viewer, "/incidents");
        String row = "#incidents-table tr[data-incident]";
        await(v).until(d -> status(d, row + " td:nth-child(4) .badge").equals("OPEN")); // the list refreshes by itself
        WebElement tr = v.findElement(By.cssSelector(row));
        assertThat(tr.getText()).contains("nightly_cleanup", "run_failed");
        assertThat(tr.findElement(By.cssSelector("time")).getAttribute("title")).startsWith("UTC: ");
        String incidentId = tr.getAttribute("data-incident");
        assertThat(new Select(v.findElement(By.id("filter-incident-status"))).getFirstSelectedOption().getText()).isEqualTo("open");
        assertThat(v.findElement(By.cssSelector("nav a.active")).getText()).isEqualTo("Incidents");
        click(v, By.linkText("run_failed"));
        await(v).until(d -> d.getCurrentUrl().endsWith("/incidents/" + incidentId) && status(d, "#incident-status .badge").equals("OPEN"));
        assertThat(v.findElements(By.id("ack"))).isEmpty();
        assertThat(v.findElements(By.id("ack-note"))).isEmpty();

        WebDriver a = signedIn(admin, "/incidents/" + incidentId);
        await(a).until(d -> d.findElements(By.id("ack")).size() == 1);
        assertThat(a.findElement(By.id("incident-message")).getText()).isNotEmpty();
        shot(a, "incident");
        a.findElement(By.id("ack-note")).sendKeys("looking into the sweep");
        a.findElement(By.id("ack")).sendKeys(Keys.ENTER); // keyboard reachable
        await(a).until(d -> status(d, "#incident-status .badge").equals("ACKNOWLEDGED"));
        assertThat(a.findElement(By.id("incident-acked")).getText()).contains("by ");
        assertThat(a.findElements(By.id("ack"))).isEmpty();
        JsonNode i = JSON.readTree(call("GET", "/api/v1/incidents/" + incidentId, admin, null).body());
        assertThat(i.path("status").asText()).isEqualTo("ACKNOWLEDGED");

        // the status filter lives in the URL: the acknowledged list shows it, the open list no longer does
        click(a, By.linkText("All incidents"));
        await(a).until(d -> d.findElements(By.id("filter-incident-status")).size() == 1);
        new Select(a.findElement(By.id("filter-incident-status"))).selectByValue("acknowledged");
        await(a).until(d -> d.getCurrentUrl().endsWith("/incidents?status=acknowledged")
                && status(d, "#incidents-table tr[data-incident='" + incidentId + "'] td:nth-child(4) .badge").equals("ACKNOWLEDGED"));
        shot(a, "incidents");
        a.get(stack.gatewayUrl() + "/incidents?status=open");
        await(a).until(d -> d.findElements(By.id("incidents-table")).size() == 1);
        assertThat(a.findElements(By.cssSelector("#incidents-table tr[data-incident='" + incidentId + "']"))).isEmpty();
    }

    void viewerAndOperator(String runId) throws Exception {
        WebDriver v = signedIn(viewer, "/runs/" + runId);
        await(v).until(d -> status(d, "#run-status .badge").equals("RUNNING"));
        assertThat(v.findElements(By.id("cancel"))).isEmpty();
        assertThat(v.findElements(By.id("retry"))).isEmpty();

        WebDriver a = signedIn(admin, "/runs/" + runId);
        await(a).until(d -> status(d, "#run-status .badge").equals("RUNNING"));
        shot(a, "run-running");
        click(a, By.id("cancel"));
        a.switchTo().alert().accept();
        await(a).until(d -> status(d, "#run-status .badge").equals("CANCELED"));
        assertThat(run(runId).path("steps").get(0).path("status").asText()).isEqualTo("CANCELED");
        await(a).until(d -> d.findElements(By.id("retry")).size() == 1); // re-execute is offered for a canceled run
        await(v).until(d -> status(d, "#run-status .badge").equals("CANCELED")); // the viewer's page follows live
        assertThat(v.findElements(By.id("retry"))).isEmpty();
    }

    @Test
    void theRunFormRejectsAMissingRequiredParam() throws Exception {
        WebDriver b = signedIn(admin, "/jobs/needs_param");
        await(b).until(d -> d.findElements(By.id("run-form")).size() == 1);
        assertThat(b.findElement(By.id("param-mode")).getAttribute("value")).isEqualTo("fast");
        click(b, By.id("run-submit"));
        await(b).until(d -> d.findElement(By.id("run-form-errors")).getText().contains("order_id is required"));
        assertThat(b.getCurrentUrl()).endsWith("/jobs/needs_param");
        assertThat(b.findElement(By.id("param-order_id")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(JSON.readTree(call("GET", "/api/v1/runs?job=needs_param", admin, null).body()).path("items")).isEmpty();
    }

    @Test
    void theLineageGraphShowsRawOrdersToCleanOrdersAndItsNodesAreLinks() {
        WebDriver b = signedIn(admin, "/assets/clean_orders");
        await(b).until(d -> d.findElements(By.cssSelector("#lineage a[data-asset='raw_orders']")).size() == 1);
        WebElement edge = b.findElement(By.cssSelector("#lineage path.edge[data-from='raw_orders'][data-to='clean_orders']"));
        assertThat(edge.getAttribute("data-kind")).isIn("EXPLICIT", "INFERRED");
        shot(b, "asset");
        click(b, By.cssSelector("#lineage a[data-asset='raw_orders']"));
        await(b).until(d -> d.getCurrentUrl().endsWith("/assets/raw_orders"));
        await(b).until(d -> d.findElements(By.cssSelector("#lineage a[data-asset='clean_orders']")).size() == 1);
        b.get(stack.gatewayUrl() + "/assets");
        await(b).until(d -> d.findElements(By.id("assets-table")).size() == 1);
        b.findElement(By.id("asset-search")).sendKeys("clean");
        await(b).until(d -> d.findElement(By.id("assets-table")).getText().contains("clean_orders")
                && !d.findElement(By.id("assets-table")).getText().contains("raw_orders"));
        shot(b, "assets");
    }

    @Test
    void theAgentsPageFlagsAPoolWithWaitingStepsAndNoAgentAndSoDoesTheRunPage() throws Exception {
        String runId = JSON.readTree(call("POST", "/api/v1/jobs/orphan_pool/runs", admin, "{}").body()).path("runId").asText();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> run(runId).path("steps").path(0).path("status").asText().equals("QUEUED"));
        WebDriver b = signedIn(admin, "/agents");
        await(b).until(d -> d.findElements(By.cssSelector("#pools-table tr.flagged[data-pool='nowhere']")).size() == 1);
        assertThat(b.findElements(By.cssSelector("#pools-table tr.flagged[data-pool='default']"))).isEmpty();
        assertThat(b.findElement(By.id("agents-table")).getText()).contains("default");
        shot(b, "agents");
        b.get(stack.gatewayUrl() + "/runs/" + runId);
        await(b).until(d -> d.findElement(By.id("run-warnings")).getText().contains("nowhere"));
        b.get(stack.gatewayUrl() + "/schedules");
        await(b).until(d -> d.findElements(By.id("schedules-table")).size() == 1);
        call("POST", "/api/v1/runs/" + runId + "/cancel", admin, "{}");
    }

    @Test
    void theSchedulesPageShowsASensorWaitingForItsTopicAndThenItsLag() throws Exception {
        // orders_events' sensor reads shop.orders, which does not exist yet (its step would call an outside host: no
        // record here passes its filter, so it never runs)
        HttpResponse<String> reg = call("POST", "/api/v1/jobs", admin, Files.readString(REPO.resolve("examples/orders_events.yaml")));
        assertThat(reg.statusCode()).as(reg.body()).isIn(200, 201);
        WebDriver b = signedIn(viewer, "/schedules");
        String row = "#sensors-table tr[data-sensor='orders_events/paid_orders']";
        await(b).until(d -> "WAITING_FOR_TOPIC".equals(attr(d, row, "data-state")));
        assertThat(b.findElement(By.cssSelector(row)).getText()).contains("shop.orders", "waiting for its topic");
        shot(b, "schedules");
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            kafka.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("shop.orders", 2, (short) 1))).all().get();
        }
        // the page refreshes itself: the sensor no longer waits, and shows the topic's partitions
        await(b).until(d -> {
            String state = attr(d, row, "data-state");
            return state != null && !state.equals("WAITING_FOR_TOPIC") && !state.equals("UNKNOWN");
        });
        assertThat(b.findElement(By.cssSelector(row)).getText()).contains("2 partitions");
    }

    @Test
    void theJobPageShowsThePartitionStatusMatrix() throws Exception {
        call("POST", "/api/v1/jobs/parted/backfills", admin, "{\"from\":\"2026-01-01\",\"to\":\"2026-01-04\",\"backfillId\":\"ui-matrix\"}");
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
                JSON.readTree(call("GET", "/api/v1/backfills/ui-matrix", admin, null).body()).path("done").asBoolean());
        WebDriver b = signedIn(viewer, "/jobs/parted");
        String cells = "#partition-matrix [data-partition]";
        await(b).until(d -> d.findElements(By.cssSelector(cells)).size() == 9); // 2026-01-01 .. 2026-01-09
        assertThat(b.findElement(By.cssSelector("#partition-matrix [data-partition='2026-01-03']")).getAttribute("data-status")).isEqualTo("FAILED");
        assertThat(b.findElement(By.cssSelector("#partition-matrix [data-partition='2026-01-06']")).getAttribute("data-status")).isEqualTo("MISSING");
        // a partition that ran links to its run
        assertThat(b.findElement(By.cssSelector("#partition-matrix a[data-partition='2026-01-03']")).getAttribute("href")).contains("/runs/");
        shot(b, "job-partitions");
    }

    @Test
    void theColoursFollowTheSystemsLightOrDarkSetting() throws Exception {
        String runId = JSON.readTree(call("POST", "/api/v1/jobs/orders_daily/runs", admin, "{\"params\":{\"day\":\"2026-11-23\"}}").body())
                .path("runId").asText();
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> run(runId).path("status").asText().equals("SUCCEEDED"));
        WebDriver b = signedIn(admin, "/runs");
        await(b).until(d -> d.findElements(By.cssSelector("#runs-table tr[data-run='" + runId + "']")).size() == 1);
        colourScheme(b, "light");
        assertThat(background(b)).isEqualTo("rgb(255, 255, 255)");
        colourScheme(b, "dark");
        assertThat(background(b)).isEqualTo("rgb(15, 19, 24)");
        shot(b, "runs-dark");
        b.get(stack.gatewayUrl() + "/runs/" + runId);
        await(b).until(d -> status(d, "#run-status .badge").equals("SUCCEEDED")
                && d.findElements(By.cssSelector("#gantt rect.bar.st-succeeded")).size() == 2);
        assertThat(background(b)).isEqualTo("rgb(15, 19, 24)");
        shot(b, "run-dark");
        colourScheme(b, "light");
        assertThat(background(b)).isEqualTo("rgb(255, 255, 255)");
        shot(b, "run-light");
    }

    /** Emulates the system's colour setting (what prefers-color-scheme reads) through the DevTools protocol. */
    static void colourScheme(WebDriver d, String scheme) {
        ((ChromeDriver) d).executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    static String background(WebDriver d) {
        return (String) js(d).executeScript("return getComputedStyle(document.body).backgroundColor");
    }

    @Test
    void cookieSessionsNeedTheCsrfHeaderToChangeState() throws Exception {
        HttpResponse<String> login = call("POST", "/api/v1/session", admin, null);
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("baton_session="))
                .findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/jobs/slow_job/runs"))
                .header("Cookie", session).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"params\":{\"seconds\":\"0\"}}"));
        assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        assertThat(http.send(post.header("X-Baton-UI", "1").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
        HttpRequest get = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/whoami")).header("Cookie", session).build();
        assertThat(JSON.readTree(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).path("role").asText()).isEqualTo("admin");
        // every page URL answers with the UI; unknown API paths stay JSON 404s
        HttpResponse<String> page = call("GET", "/runs/some-run/events", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\">");
        assertThat(call("GET", "/api/v1/nope", admin, null).statusCode()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- helpers

    WebDriver browser() {
        ChromeOptions o = new ChromeOptions();
        String bin = System.getProperty("chromium.binary", "/usr/bin/chromium");
        if (Files.isExecutable(Path.of(bin))) {
            o.setBinary(bin);
        }
        o.addArguments("--headless=new", "--window-size=1280,800", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService.Builder sb = new ChromeDriverService.Builder();
        String driverBin = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
        if (Files.isExecutable(Path.of(driverBin))) {
            sb.usingDriverExecutable(Path.of(driverBin).toFile());
        }
        WebDriver d = new ChromeDriver(sb.build(), o);
        drivers.add(d);
        return d;
    }

    WebDriver signedIn(String token, String path) {
        WebDriver b = browser();
        b.get(stack.gatewayUrl() + path + "?token=" + token);
        return b;
    }

    /** Waits for a page condition; on timeout the failure shows the page's text and the browser console. */
    static Waiter await(WebDriver d) {
        return new Waiter(d);
    }

    record Waiter(WebDriver d) {
        void until(java.util.function.Function<WebDriver, Boolean> condition) {
            try {
                new WebDriverWait(d, Duration.ofSeconds(45)).until(condition::apply);
            } catch (org.openqa.selenium.TimeoutException e) {
                StringBuilder b = new StringBuilder("page " + d.getCurrentUrl() + " did not get there:\n");
                try {
                    b.append(d.findElement(By.tagName("body")).getText()).append("\n-- console:\n");
                    d.manage().logs().get(LogType.BROWSER).forEach(l -> b.append(l.getLevel()).append(' ').append(l.getMessage()).append('\n'));
                } catch (RuntimeException ignored) {
                    // the page is gone
                }
                throw new AssertionError(b.toString(), e);
            }
        }
    }

    static JavascriptExecutor js(WebDriver d) {
        return (JavascriptExecutor) d;
    }

    /**
     * Clicks the element {@code by} finds, finding it again when a live update replaced it between the find and the
     * click (the run page re-renders as events arrive).
     */
    static void click(WebDriver d, By by) {
        await(d).until(x -> {
            try {
                x.findElement(by).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                return false;
            }
        });
    }

    /** The origins of the runs listed, read in one go (the list re-renders live, so found rows can go stale). */
    @SuppressWarnings("unchecked")
    static List<String> origins(WebDriver d) {
        return (List<String>) js(d).executeScript(
                "return [...document.querySelectorAll('#runs-table tr[data-run]')].map(r => r.dataset.origin);");
    }

    static String attr(WebDriver d, String css, String name) {
        List<WebElement> e = d.findElements(By.cssSelector(css));
        try {
            return e.isEmpty() ? null : e.get(0).getAttribute(name);
        } catch (org.openqa.selenium.StaleElementReferenceException x) {
            return null;
        }
    }

    static String status(WebDriver d, String css) {
        List<WebElement> e = d.findElements(By.cssSelector(css));
        try {
            return e.isEmpty() ? "" : e.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException x) {
            return "";
        }
    }

    static void shot(WebDriver d, String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    JsonNode run(String runId) throws Exception {
        return JSON.readTree(call("GET", "/api/v1/runs/" + runId, admin, null).body());
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/yaml");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
