/** Creates the directory where the reliability tests record one summary row per case (JSON lines). */
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async function globalSetup() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usercom-reliability-'));
	process.env.USERCOM_RELIABILITY_OUT = dir;
};
