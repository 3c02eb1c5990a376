package io.chute.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.chute.support.Browser;
import io.chute.support.EmbeddedChuteIT;
import io.chute.support.TestClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/** Chat v2 in a real headless Chromium, two people: edits, deletes, replies, reactions, mentions, links, search, resends. */
class ChatV2BrowserIT extends EmbeddedChuteIT {

    record Person(TestClient client, String id, String username) {}

    private Person person() {
        TestClient client = newUser();
        Map<String, Object> me = client.get("/api/me").json();
        return new Person(client, (String) me.get("id"), (String) me.get("username"));
    }

    private String group(Person owner, String name, Person member) {
        return (String) owner.client()
                .post("/api/channels", Map.of("name", name, "memberIds", List.of(member.id())))
                .json()
                .get("id");
    }

    /** A browser signed in as that person, on that page, with its live connection open. */
    private Browser signedIn(Person who, String page, boolean notifications) {
        Browser browser = new Browser(port);
        if (notifications) {
            browser.allowNotifications();
        }
        browser.open("/");
        browser.script(
                "localStorage.setItem('chute.token', arguments[0])",
                who.client().token());
        browser.open(page).driver().navigate().refresh();
        browser.awaitConnection("open");
        return browser;
    }

    private static By message(String text) {
        return By.xpath(
                "//article[contains(@class,'message')][.//p[contains(@class,'text') and contains(., '" + text + "')]]");
    }

    private static void send(Browser browser, String text) {
        browser.await(By.id("composer-input")).sendKeys(text + "\n");
    }

    private static void menu(Browser browser, String text, String action) {
        WebElement article = browser.await(message(text));
        article.findElement(By.cssSelector(".message-menu")).click();
        browser.click(By.cssSelector(".menu " + action));
    }

    @Test
    void editDeleteReplyReactAndMentionAreSeenLiveByTheOther() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Launch", bo);
        try (Browser a = signedIn(ana, "/#/c/" + channel, false);
                Browser b = signedIn(bo, "/#/c/" + channel, false)) {
            // a mention of Bo and a link: Bo sees his name marked and the link clickable, safely
            send(a, "@" + bo.username() + " see https://example.com/plan?x=1, and javascript:alert(1)");
            WebElement seen = b.await(message("see https://example.com"));
            assertThat(seen.findElement(By.cssSelector(".mention.me")).getText())
                    .isEqualTo("@" + bo.username());
            WebElement link = seen.findElement(By.cssSelector(".text a"));
            assertThat(link.getAttribute("href")).isEqualTo("https://example.com/plan?x=1");
            assertThat(link.getAttribute("rel")).isEqualTo("noopener noreferrer");
            assertThat(seen.findElements(By.cssSelector(".text a")))
                    .as("only http(s) is a link")
                    .hasSize(1);
            assertThat(seen.getAttribute("class")).contains("mentions-me");

            // Ana edits her last message with the Up arrow
            send(a, "first draft");
            b.await(message("first draft"));
            a.await(By.id("composer-input")).sendKeys(Keys.ARROW_UP);
            WebElement editor = a.await(By.cssSelector(".edit-input"));
            editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), "final version\n");
            WebElement edited = b.await(message("final version"));
            b.until(d -> edited.findElement(By.cssSelector(".edited")).isDisplayed());
            assertThat(b.all(message("first draft"))).isEmpty();

            // Bo reacts from the message's menu, Ana sees it and adds hers
            menu(b, "final version", "button[aria-label='React with 🎉']");
            WebElement reaction = a.await(By.cssSelector("[data-message-id] .reaction[data-emoji='🎉']"));
            a.until(d -> reaction.getText().equals("🎉 1"));
            reaction.click();
            b.until(d -> d.findElement(By.cssSelector(".reaction[data-emoji='🎉']"))
                    .getText()
                    .equals("🎉 2"));

            // Bo replies; Ana sees the quote, and the quote takes her to the original
            menu(b, "final version", ".reply-action");
            b.await(By.cssSelector(".reply-bar .reply-quote"));
            send(b, "agreed");
            WebElement reply = a.await(message("agreed"));
            assertThat(reply.findElement(By.cssSelector(".quote")).getText()).contains("final version");
            reply.findElement(By.cssSelector(".quote")).click();
            a.await(By.cssSelector("article.message.flash"));

            // Ana deletes her message: both see a tombstone
            menu(a, "final version", ".delete-action");
            a.click(By.id("confirm-delete"));
            for (Browser browser : List.of(a, b)) {
                browser.await(By.xpath("//article[contains(@class,'deleted')]//p[text()='This message was deleted.']"));
                browser.until(d -> d.findElements(message("final version")).isEmpty());
            }
            a.screenshot("chat-v2");
        }
    }

    @Test
    void aMentionWhileTheTabIsHiddenRaisesANotification() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Alerts", bo);
        try (Browser b = signedIn(bo, "/#/files", true);
                Browser a = signedIn(ana, "/#/c/" + channel, false)) {
            assertThat(b.all(By.id("enable-notifications")))
                    .as("permission already given")
                    .isEmpty();
            assertThat((Boolean) b.script("return document.hidden")).isFalse();
            // Bo switches to another tab (of the same origin, to read what was shown): Chute's tab is hidden
            b.driver().switchTo().newWindow(WindowType.TAB);
            b.open("/favicon.svg");
            // a group message that does not mention Bo raises nothing; the one after it, which does, raises one
            send(a, "not for anyone in particular");
            send(a, "@" + bo.username() + " please look at this");
            b.until(d -> !b.notifications().isEmpty());
            assertThat(b.notifications()).singleElement().asString().contains("please look at this");
        }
    }

    @Test
    void searchOpensTheMessageInContext() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Budget", bo);
        String word = "zeta" + Long.toHexString(System.nanoTime());
        ana.client()
                .post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "the " + word + " numbers", "clientMessageId", "w"));
        for (int i = 0; i < 40; i++) {
            ana.client()
                    .post(
                            "/api/channels/" + channel + "/messages",
                            Map.of("content", "filler " + i, "clientMessageId", "f" + i));
        }
        try (Browser b = signedIn(bo, "/#/files", false)) {
            b.click(By.id("nav-search"));
            b.type(By.id("search-query"), word + "\n");
            WebElement result = b.await(By.cssSelector(".search-result"));
            assertThat(result.findElement(By.cssSelector("mark")).getText()).isEqualTo(word);
            result.click();
            WebElement shown = b.await(By.cssSelector("article.message.flash"));
            assertThat(shown.getText()).contains("the " + word + " numbers");
        }
    }

    @Test
    void unreadMessagesStartAfterANewMessagesLineAndOneSendersRunIsGrouped() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Catch-up", bo);
        bo.client()
                .post(
                        "/api/channels/" + channel + "/messages",
                        Map.of("content", "read before", "clientMessageId", "r0"));
        for (int i = 1; i <= 3; i++) {
            ana.client()
                    .post(
                            "/api/channels/" + channel + "/messages",
                            Map.of("content", "unread " + i, "clientMessageId", "u" + i));
        }
        try (Browser b = signedIn(bo, "/#/files", false)) {
            b.until(d -> d.findElement(By.cssSelector(".channel-link .unread"))
                    .getText()
                    .equals("3"));
            assertThat(b.driver().getTitle())
                    .as("the unread total in the tab's title")
                    .startsWith("(3) ");
            b.click(By.cssSelector(".channel-link"));
            WebElement first = b.await(message("unread 1"));
            assertThat(first.findElement(By.cssSelector(".separator.new-messages"))
                            .getText())
                    .isEqualTo("New messages");
            assertThat(b.await(message("read before"))
                            .findElement(By.cssSelector(".separator.day"))
                            .getText())
                    .isEqualTo("Today");
            assertThat(b.await(message("unread 2")).getAttribute("class")).contains("grouped");
            assertThat(first.getAttribute("class")).doesNotContain("grouped");
            b.click(By.id("jump-unread"));
            b.until(d -> !d.findElement(By.id("jump-unread")).isDisplayed());
            b.until(d -> !d.getTitle().startsWith("("));
        }
    }

    @Test
    void aDraftWaitsInItsChannelAndAPastedImageIsSent() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Drafts", bo);
        try (Browser a = signedIn(ana, "/#/c/" + channel, false);
                Browser b = signedIn(bo, "/#/c/" + channel, false)) {
            a.await(By.id("composer-input")).sendKeys("half a thought");
            a.click(By.id("nav-files"));
            a.open("/#/c/" + channel);
            a.until(d -> "half a thought"
                    .equals(d.findElement(By.id("composer-input")).getAttribute("value")));

            // an image pasted from the clipboard (a 1x1 PNG) is sent like a dropped file
            a.script("""
                    const bytes = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), c => c.charCodeAt(0));
                    const data = new DataTransfer();
                    data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
                    document.getElementById('composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
                    """);
            b.await(By.cssSelector("article.message article.file-card[aria-label='pasted.png']"));
        }
    }

    @Test
    void aFailedSendIsResent() {
        Person ana = person();
        Person bo = person();
        String channel = group(ana, "Flaky", bo);
        try (Browser a = signedIn(ana, "/#/c/" + channel, false);
                Browser b = signedIn(bo, "/#/c/" + channel, false)) {
            a.http(false);
            send(a, "sent while offline");
            WebElement failed = a.await(By.cssSelector("article.message.failed"));
            a.await(By.cssSelector(".toast.error"));
            assertThat((Boolean) a.script("""
                    const overlap = (x, y) => !(x.right <= y.left || y.right <= x.left || x.bottom <= y.top || y.bottom <= x.top);
                    const toast = document.querySelector('.toast.error').getBoundingClientRect();
                    return [document.getElementById('send'), document.querySelector('button.resend')]
                      .some(b => overlap(toast, b.getBoundingClientRect()));
                    """))
                    .as("the error toast covers Send or Resend")
                    .isFalse();
            a.http(true);
            failed.findElement(By.cssSelector("button.resend")).click();
            b.await(message("sent while offline"));
            a.until(d ->
                    d.findElements(By.cssSelector("article.message.failed")).isEmpty());
            assertThat(a.all(message("sent while offline"))).hasSize(1);
        }
    }
}
