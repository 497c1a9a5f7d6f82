import { neonConfig } from "@neondatabase/serverless";
import ws from "ws";

// Node.js 20 has no global WebSocket client; Workers do. The driver needs one either way.
neonConfig.webSocketConstructor = ws;
