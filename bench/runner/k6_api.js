// One Suno-API endpoint at a constant arrival rate (open model: no coordinated omission).
// Env: BASE_URL, API_KEY, CALLBACK_URL, ENDPOINT (submit|record|credit), RATE (req/s), DURATION ("30s").
import http from 'k6/http';
import { Rate } from 'k6/metrics';

const base = __ENV.BASE_URL;
const params = { headers: { Authorization: `Bearer ${__ENV.API_KEY}`, 'Content-Type': 'application/json' } };
const apiOk = new Rate('api_ok');  // HTTP 200 and body code 200

export const options = {
  discardResponseBodies: false,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(99)'],
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE),
      timeUnit: '1s',
      duration: __ENV.DURATION,
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 200),
    },
  },
};

function submitBody() {
  return JSON.stringify({
    customMode: true, instrumental: true, model: 'V6', style: 'lo-fi, 80 bpm', title: 'load',
    duration: 10, callBackUrl: __ENV.CALLBACK_URL,
  });
}

export function setup() {
  if (__ENV.ENDPOINT !== 'record') return {};
  const res = http.post(`${base}/api/v1/generate`, submitBody(), params);
  return { taskId: res.json('data.taskId') };
}

export default function (data) {
  let res;
  if (__ENV.ENDPOINT === 'submit') {
    res = http.post(`${base}/api/v1/generate`, submitBody(), params);
  } else if (__ENV.ENDPOINT === 'record') {
    res = http.get(`${base}/api/v1/generate/record-info?taskId=${data.taskId}`, params);
  } else {
    res = http.get(`${base}/api/v1/generate/credit`, params);
  }
  let code = null;
  try { code = res.json('code'); } catch (e) { code = null; }
  apiOk.add(res.status === 200 && code === 200);
}
