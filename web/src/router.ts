// One view per task a person does, named for it.
import { createRouter, createWebHashHistory } from "vue-router";
import { session } from "./api";

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: "/", redirect: "/dashboard" },
    { path: "/m", component: () => import("./views/MemberHome.vue"), meta: { title: "连心卡 · 我的汇报", member: true } },
    { path: "/sign-in", component: () => import("./views/SignIn.vue"), meta: { title: "登录" } },
    { path: "/dashboard", component: () => import("./views/Dashboard.vue"), meta: { title: "工作台" } },
    { path: "/members", component: () => import("./views/Members.vue"), meta: { title: "党员查询" } },
    { path: "/members/:id", component: () => import("./views/MemberPage.vue"), meta: { title: "党员档案" } },
    { path: "/register-member", component: () => import("./views/RegisterMember.vue"), meta: { title: "党员登记" } },
    { path: "/register-outflow", component: () => import("./views/RegisterOutflow.vue"), meta: { title: "登记流出" } },
    { path: "/record-arrival", component: () => import("./views/RecordArrival.vue"), meta: { title: "登记到达" } },
    { path: "/certificate-entry", component: () => import("./views/CertificateEntry.vue"), meta: { title: "活动证登记" } },
    { path: "/record-contact", component: () => import("./views/RecordContact.vue"), meta: { title: "联系记录" } },
    { path: "/overdue", component: () => import("./views/Overdue.vue"), meta: { title: "逾期未联系" } },
    { path: "/liaison-report", component: () => import("./views/LiaisonReport.vue"), meta: { title: "联络人汇报" } },
    { path: "/hotline", component: () => import("./views/Hotline.vue"), meta: { title: "服务热线" } },
    { path: "/schedule", component: () => import("./views/Schedule.vue"), meta: { title: "排课与报名" } },
    { path: "/attendance", component: () => import("./views/Attendance.vue"), meta: { title: "考勤登记" } },
    { path: "/dues", component: () => import("./views/Dues.vue"), meta: { title: "党费" } },
    { path: "/appraisal", component: () => import("./views/RecordAppraisal.vue"), meta: { title: "民主评议" } },
    { path: "/appraisal-sheet", component: () => import("./views/AppraisalSheet.vue"), meta: { title: "评议汇总表" } },
    { path: "/exports", component: () => import("./views/Exports.vue"), meta: { title: "台账导出" } },
  ],
});

router.beforeEach((to) => {
  if (to.meta.member) return true; // the member page has its own session
  if (to.path !== "/sign-in" && session.info === null) return { path: "/sign-in", query: { next: to.fullPath } };
  return true;
});
