import { createApp } from 'vue';
import App from './App.vue';
import './style.css';
import { startRouter } from './router';

startRouter();
createApp(App).mount('#app');
