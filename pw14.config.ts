import base from "/work/main/playwright.config";
export default { ...base, testDir: "/work/main/e2e", webServer: undefined };
